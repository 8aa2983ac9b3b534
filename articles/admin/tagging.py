"""Tags in the admin: the tag list, and the bulk "add/remove tags" actions on stories.

The actions go through taggit's manager (`article.tags.add/remove`) so that its signals fire, but
resolve the tags once and touch only the stories whose tags actually change.
"""

from collections import defaultdict
from contextlib import suppress
from functools import reduce
from operator import or_

import taggit.models
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import Count, Q
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.utils.text import Truncator

from ..forms import TagNamesForm
from ..models import Article, Tag, TaggedArticle
from ..refresh import stories_changed_on_commit
from ..versions import bump_versions

# Our stories use `articles.Tag`; taggit's own tag table stays empty, so hide its admin.
with suppress(NotRegistered):
    admin.site.unregister(taggit.models.Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "short_description", "story_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}
    fields = ["name", "slug", "description"]
    ordering = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(story_count=Count("tagged_articles"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            # Tag names are part of the stories' search text.
            stories_changed_on_commit(article_ids=_tagged_story_ids([obj]))

    def delete_model(self, request, obj):
        article_ids = _tagged_story_ids([obj])
        super().delete_model(request, obj)
        stories_changed_on_commit(article_ids=article_ids)

    def delete_queryset(self, request, queryset):
        article_ids = _tagged_story_ids(queryset)
        super().delete_queryset(request, queryset)
        stories_changed_on_commit(article_ids=article_ids)

    @admin.display(description="description")
    def short_description(self, tag: Tag) -> str:
        return Truncator(tag.description).chars(80)

    @admin.display(description="stories", ordering="story_count")
    def story_count(self, tag: Tag) -> int:
        return tag.story_count


def _tagged_story_ids(tags) -> list[int]:
    return list(
        TaggedArticle.objects.filter(tag__in=tags)
        .values_list("content_object_id", flat=True)
        .distinct()
    )


def find_tags(names: list[str]) -> dict[str, Tag]:
    """The existing tags with these names, keyed by lower-cased name (tags are case-insensitive)."""
    if not names:
        return {}
    matches = Tag.objects.filter(reduce(or_, (Q(name__iexact=name) for name in names)))
    found = {}
    for tag in matches.order_by("pk"):
        # Should two tags differ only in case, taggit uses the older one; so do we.
        found.setdefault(tag.name.lower(), tag)
    return found


def add_tags(*, article_ids: list[int], names: list[str]) -> list[Article]:
    """Tag the stories with `names`, creating missing tags; returns the stories that changed."""
    with transaction.atomic():
        existing = find_tags(names)
        tags = [existing.get(name.lower()) or Tag.objects.create(name=name) for name in names]
        has = set(
            TaggedArticle.objects.filter(content_object__in=article_ids, tag__in=tags).values_list(
                "content_object_id", "tag_id"
            )
        )
        changed = []
        for article in Article.objects.filter(pk__in=article_ids).only("pk", "headline"):
            missing = [tag for tag in tags if (article.pk, tag.pk) not in has]
            if missing:
                article.tags.add(*missing)
                changed.append(article)
        _bump_versions(changed)
        return changed


def remove_tags(*, article_ids: list[int], names: list[str]) -> list[Article]:
    """Take the tags `names` off the stories; returns the stories that changed."""
    with transaction.atomic():
        tags = find_tags(names).values()
        held = defaultdict(list)
        for article_id, name in TaggedArticle.objects.filter(
            content_object__in=article_ids, tag__in=tags
        ).values_list("content_object_id", "tag__name"):
            held[article_id].append(name)
        changed = list(Article.objects.filter(pk__in=held).only("pk", "headline"))
        for article in changed:
            # taggit removes by exact name, so pass the names as stored.
            article.tags.remove(*held[article.pk])
        _bump_versions(changed)
        return changed


def _bump_versions(articles: list[Article]) -> None:
    """Retagged stories get a new version: a change form opened before cannot drop the tags."""
    bump_versions(Article, pks=[article.pk for article in articles])


def _bulk_tag_step(
    modeladmin, request, queryset, *, action, title, submit_label, apply, verb, preposition
):
    """Show the tags form for the selected stories; on submit, apply it and report."""
    form = TagNamesForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        names = form.cleaned_data["tags"]
        article_ids = list(queryset.prefetch_related(None).values_list("pk", flat=True))
        changed = apply(article_ids=article_ids, names=names)
        stories_changed_on_commit(article_ids=[article.pk for article in changed])
        quoted = ", ".join(f"“{name}”" for name in names)
        if changed:
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=changed,
                action_flag=CHANGE,
                change_message=f"{verb} tags {quoted}.",
            )
        count = len(changed)
        modeladmin.message_user(
            request,
            f"{verb} {quoted} {preposition} {count} stor{pluralize(count, 'y,ies')}.",
            messages.SUCCESS,
        )
        return None  # The admin redirects back to the changelist.

    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.opts,
        "form": form,
        "stories": queryset.select_related(None).prefetch_related(None).only("pk", "headline"),
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "submit_label": submit_label,
        # The changelist with its filters, which actions are posted to.
        "changelist_url": request.get_full_path(),
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/articles/article/bulk_tags.html", context)


@admin.action(description="Add tags to selected stories", permissions=["change"])
def add_tags_to_stories(modeladmin, request, queryset):
    return _bulk_tag_step(
        modeladmin,
        request,
        queryset,
        action="add_tags_to_stories",
        title="Add tags to stories",
        submit_label="Add tags",
        apply=add_tags,
        verb="Added",
        preposition="to",
    )


@admin.action(description="Remove tags from selected stories", permissions=["change"])
def remove_tags_from_stories(modeladmin, request, queryset):
    return _bulk_tag_step(
        modeladmin,
        request,
        queryset,
        action="remove_tags_from_stories",
        title="Remove tags from stories",
        submit_label="Remove tags",
        apply=remove_tags,
        verb="Removed",
        preposition="from",
    )
