"""Admin screens of records nobody edits by hand: a note's history, tag history, notifications
and webhook deliveries are written by the code that does the work, and only read here."""


class ReadOnlyAdminMixin:
    """No adding, changing or deleting through the admin (for a ModelAdmin or an inline);
    seeing the rows still takes the view permission."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
