"""The search form: what to look for, and the filters (section, tag, author, date range).

Every field is optional and nothing a reader types raises: a filter that does not validate (an
unknown tag, a date that is not one) is shown with its error and left out of the search, while
the valid ones still apply.
"""

import re
from datetime import date

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.http import QueryDict

from articles.models import Author, Section, Tag
from articles.pages.selectors import public_authors, public_tags
from articles.search.query import MAX_QUERY_LENGTH, clean_query_text, printable
from articles.search.selectors import EARLIEST_DATE, LATEST_DATE, SearchFilters

ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        # A date input may hold only a real yyyy-mm-dd date (browsers blank anything else);
        # what the reader typed wrong is named in the field's error message instead.
        if isinstance(value, str):
            try:
                date.fromisoformat(value if ISO_DATE_RE.fullmatch(value) else "")
            except ValueError:
                return None
        return super().format_value(value)


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=DateInput(
            format="%Y-%m-%d",
            attrs={"min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()},
        ),
        validators=[MinValueValidator(EARLIEST_DATE), MaxValueValidator(LATEST_DATE)],
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search for",
        required=False,
        widget=forms.SearchInput(attrs={"maxlength": MAX_QUERY_LENGTH, "autocomplete": "off"}),
        help_text='Use "quotes" for a phrase, -word to leave a word out, OR for either word.',
    )
    section = forms.ChoiceField(label="Section", required=False)
    tag = forms.CharField(label="Tag", required=False, max_length=100)
    author = forms.CharField(label="Author", required=False, max_length=200)
    since = _date_field("From")
    until = _date_field("To")

    def __init__(self, data=None, **kwargs):
        if data is not None:
            # Cleaned before binding, so that what is searched is also what the form shows:
            # no NULs or control characters, and the query cut to MAX_QUERY_LENGTH.
            data = {name: printable(value) for name, value in data.items()}
            data["q"] = clean_query_text(data.get("q", ""))
        super().__init__(data, **kwargs)
        self.sections = {section.slug: section for section in Section.objects.only("name", "slug")}
        self.fields["section"].choices = [("", "All sections")] + [
            (slug, section.name) for slug, section in self.sections.items()
        ]

    def clean_section(self) -> Section | None:
        return self.sections.get(self.cleaned_data["section"])

    def clean_tag(self) -> Tag | None:
        value = self.cleaned_data["tag"]
        if not value:
            return None
        # A tag only unpublished stories carry is as secret here as on its own page.
        tag = public_tags().filter(Q(slug=value) | Q(name__iexact=value)).order_by("pk").first()
        if tag is None:
            raise forms.ValidationError("No tag is called “%(value)s”.", params={"value": value})
        return tag

    def clean_author(self) -> Author | None:
        value = self.cleaned_data["author"]
        if not value:
            return None
        # An author only unpublished stories carry is as secret here as on their own page.
        author = (
            public_authors().filter(Q(slug=value) | Q(name__iexact=value)).order_by("pk").first()
        )
        if author is None:
            raise forms.ValidationError("No author is called “%(value)s”.", params={"value": value})
        return author

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return cleaned

    @property
    def query(self) -> str:
        """The cleaned search words ("" before validation or when invalid)."""
        return getattr(self, "cleaned_data", {}).get("q", "")

    def filters_in_use(self) -> bool:
        """Whether the reader set a filter (or got one wrong): the page then shows them open."""
        return any(self[name].value() for name in self.fields if name != "q") or any(
            name != "q" for name in self.errors
        )

    def filters(self) -> SearchFilters:
        """The filters that validated; call after `is_valid()`."""
        data = self.cleaned_data
        return SearchFilters(
            **{name: data.get(name) for name in ("section", "tag", "author", "since", "until")}
        )

    def query_params(self) -> QueryDict:
        """The search as URL parameters, for links to other pages of the results."""
        filters = self.filters()
        params = QueryDict(mutable=True)
        params["q"] = self.query
        for name, value in (
            ("section", filters.section and filters.section.slug),
            ("tag", filters.tag and filters.tag.slug),
            ("author", filters.author and filters.author.slug),
            ("since", filters.since and filters.since.isoformat()),
            ("until", filters.until and filters.until.isoformat()),
        ):
            if value:
                params[name] = value
        return params
