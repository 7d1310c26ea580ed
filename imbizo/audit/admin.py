from django.contrib import admin

from imbizo.audit.admin_scoping import ScopedAdmin, request_actor

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdmin):
    """Append-only: nobody, not even a superuser, edits or deletes an entry here."""

    view_permission = "audit.view"
    list_display = ["seq", "at", "actor", "channel", "action", "object_type", "object_id",
                    "municipality_code"]
    list_filter = ["channel", "action"]
    search_fields = ["object_id", "actor"]

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        actor = request_actor(request)
        if actor.is_global("audit.view"):
            return qs
        return qs.filter(municipality_code__in=actor.municipality_codes("audit.view"))
