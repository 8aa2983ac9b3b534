"""Read-more asides across all stories, so that editors can find and fix those without a link.

`Block` is registered here, limited to asides: paragraphs are edited in their story's body inline.
Without a model change (a proxy model) the admin index still calls this list "Blocks"; the page
titles say what it is.
"""

from django.contrib import admin
from django.utils.html import format_html

from ..models import Block
from ..text import safe_http_url


class LinkFilter(admin.SimpleListFilter):
    """Resolved: the aside points at one of our stories or at a URL."""

    title = "link"
    parameter_name = "link"

    def lookups(self, request, model_admin):
        return [("unresolved", "Unresolved"), ("resolved", "Resolved")]

    def queryset(self, request, queryset):
        unresolved = Block.objects.unresolved_asides().values("pk")
        if self.value() == "unresolved":
            return queryset.filter(pk__in=unresolved)
        if self.value() == "resolved":
            return queryset.exclude(pk__in=unresolved)
        return queryset


@admin.register(Block)
class AsideAdmin(admin.ModelAdmin):
    list_display = ["teaser", "article", "target", "resolved"]
    list_display_links = ["teaser"]
    list_filter = [LinkFilter, ("article", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["teaser", "target_url", "article__headline"]
    list_select_related = ["article", "target_article"]
    ordering = ["article", "position"]  # newest story first, as stories are ordered
    fields = ["article", "teaser", "label", "target_article", "target_url"]
    readonly_fields = ["article"]
    autocomplete_fields = ["target_article"]

    def get_queryset(self, request):
        return super().get_queryset(request).asides()

    def has_add_permission(self, request):
        # An aside has a place in a story's body; it is added there.
        return False

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, extra_context={"title": "Read-more asides", **(extra_context or {})}
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(
            request,
            object_id,
            form_url,
            extra_context={"title": "Read-more aside", **(extra_context or {})},
        )

    @admin.display(description="target")
    def target(self, aside: Block) -> str | None:
        if aside.target_article_id:
            story = aside.target_article
            return format_html('<a href="{}">{}</a>', story.get_absolute_url(), story.headline)
        if url := safe_http_url(aside.target_url):
            return format_html('<a href="{}">{}</a>', url, url)
        return aside.target_url or None

    @admin.display(description="resolved?", boolean=True)
    def resolved(self, aside: Block) -> bool:
        return aside.is_resolved
