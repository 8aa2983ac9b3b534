"""Authors, with their profiles on other networks and their staff login."""

from django.contrib import admin
from django.db.models import Count

from articles.models import Author, SocialProfile


class SocialProfileInline(admin.TabularInline):
    model = SocialProfile
    fields = ["network", "url", "position"]
    extra = 0


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "x_handle", "story_count", "user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ("name",)}
    fields = ["name", "slug", "bio", "x_handle", "user"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]
    ordering = ["name"]  # Counting stories groups rows, which drops the model's ordering.
    inlines = [SocialProfileInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(story_count=Count("bylines"))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("auth.view_user"):
            # Linking a login means searching users, which only user admins may do.
            readonly.append("user")
        return readonly

    @admin.display(description="stories", ordering="story_count")
    def story_count(self, author: Author) -> int:
        return author.story_count
