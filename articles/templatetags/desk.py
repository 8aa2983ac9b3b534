"""The desk dashboard on the admin's index: `{% desk_dashboard %}` (see `admin.dashboard`)."""

from django import template

from articles.admin.dashboard import desk_counts

register = template.Library()


@register.inclusion_tag("admin/newsroom/desk_dashboard.html", takes_context=True)
def desk_dashboard(context):
    user = context["request"].user
    return {
        "counts": desk_counts(user),
        "can_annotate": user.has_perm("articles.view_story") and user.has_perm("articles.add_note"),
    }
