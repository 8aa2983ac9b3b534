"""Read-more asides across all stories, so that editors can find and fix those without a link.

`ReadMoreAside` (a proxy of `Block`) is registered here, limited to asides: paragraphs are edited
in their story's body inline. As a model of its own it has its own name and permissions: who
may link asides need not be able to edit stories' bodies.

An unresolved aside's page offers the stories it most likely means (`related.suggest`), each with
a "Use this" button that links the aside to it in one click.

An aside is part of its story's body, so every change here bumps the story's version: a story
form opened before it cannot write the old aside back (`articles.editing.conflicts`). Asides have no
version of their own, so this form does not check one.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.views.decorators.http import require_POST

from articles.editing.asides import delete_asides, link_aside, save_aside
from articles.models import Block, ReadMoreAside, Story
from articles.pages.pagination import canonical_number
from articles.related.suggest import suggest_targets
from articles.text.markup import safe_http_url


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


@admin.register(ReadMoreAside)
class AsideAdmin(admin.ModelAdmin):
    list_display = ["teaser", "story", "target", "resolved"]
    list_display_links = ["teaser"]
    list_filter = [LinkFilter, ("story", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["teaser", "target_url", "story__headline"]
    list_select_related = ["story", "target_story"]
    ordering = ["story", "position"]  # newest story first, as stories are ordered
    fields = ["story", "teaser", "label", "suggested_targets", "target_story", "target_url"]
    readonly_fields = ["story", "suggested_targets"]
    autocomplete_fields = ["target_story"]

    def get_queryset(self, request):
        return super().get_queryset(request).asides()

    def save_model(self, request, obj, form, change):
        teaser_changed = change and "teaser" in form.changed_data
        old_teaser = form.initial.get("teaser", "") if teaser_changed else None
        save_aside(aside=obj, old_teaser=old_teaser, user=request.user)

    def delete_model(self, request, obj):
        delete_asides(asides=[obj], user=request.user)

    def delete_queryset(self, request, queryset):
        delete_asides(asides=list(queryset), user=request.user)

    def has_add_permission(self, request):
        # An aside has a place in a story's body; it is added there.
        return False

    def get_urls(self):
        use_target = self.admin_site.admin_view(require_POST(self.use_target_view))
        return [
            path(
                "<path:object_id>/use-target/", use_target, name="articles_readmoreaside_use_target"
            ),
            *super().get_urls(),
        ]

    def use_target_view(self, request, object_id):
        """Link the aside to the story whose "Use this" button was pressed (`use_target`)."""
        aside = self.get_object(request, unquote(object_id))
        if aside is None:
            raise Http404("No such aside.")
        if not self.has_change_permission(request, aside):
            raise PermissionDenied
        target_id = canonical_number(request.POST.get("use_target", ""))
        target = Story.objects.filter(pk=target_id).first() if target_id is not None else None
        if target is None:
            self.message_user(request, "That story no longer exists.", messages.ERROR)
        else:
            try:
                link_aside(aside=aside, target=target)
            except ValueError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.log_change(request, aside, f"Linked to the suggested story “{target}”.")
                self.message_user(
                    request, f"The aside now links to “{target.headline}”.", messages.SUCCESS
                )
        return HttpResponseRedirect(reverse("admin:articles_readmoreaside_change", args=[aside.pk]))

    @admin.display(description="target")
    def target(self, aside: Block) -> str | None:
        if aside.target_story_id:
            story = aside.target_story
            return format_html('<a href="{}">{}</a>', story.get_absolute_url(), story.headline)
        if url := safe_http_url(aside.target_url):
            return format_html('<a href="{}">{}</a>', url, url)
        return aside.target_url or None

    @admin.display(description="suggested stories")
    def suggested_targets(self, aside: Block) -> str:
        if aside.is_resolved:
            return "—"
        suggestions = suggest_targets(aside=aside)
        if not suggestions:
            return "No published story matches this aside and the paragraphs around it."
        # Inside the change form, so each button submits it to the "use this" view instead.
        use_url = reverse("admin:articles_readmoreaside_use_target", args=[aside.pk])
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a> <small>{} · {}</small> '
            '<button type="submit" class="button" formaction="{}" name="use_target" value="{}">'
            "Use this</button></li>",
            (
                (
                    story.get_absolute_url(),
                    story.headline,
                    story.section.name,
                    date_format(localtime(story.published_at), "M j Y"),
                    use_url,
                    story.pk,
                )
                for story in suggestions
            ),
        )
        return format_html('<ol class="aside-suggestions">{}</ol>', items)

    @admin.display(description="resolved?", boolean=True)
    def resolved(self, aside: Block) -> bool:
        return aside.is_resolved
