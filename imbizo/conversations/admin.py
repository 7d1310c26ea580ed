"""Admin: a municipality's flow overrides (through the service) and the handover queue
(read-only until the agents' console)."""

from django.contrib import admin

from imbizo.audit.admin_scoping import ScopedAdmin, request_actor

from .models import FlowOverride, Handover
from .overrides import flow_override_save


@admin.register(FlowOverride)
class FlowOverrideAdmin(ScopedAdmin):
    view_permission = "department.manage"
    change_permission = "department.manage"
    fixed_after_create = ("municipality", "flow_id")
    list_display = ("flow_id", "municipality", "active", "updated")
    list_filter = ("active",)
    fields = ("municipality", "flow_id", "definition", "active")

    def save_model(self, request, obj, form, change):
        saved = flow_override_save(actor=request_actor(request), municipality=obj.municipality,
                                   flow_id=obj.flow_id, definition=obj.definition,
                                   active=obj.active)
        obj.pk, obj.created, obj.updated = saved.pk, saved.created, saved.updated


@admin.register(Handover)
class HandoverAdmin(ScopedAdmin):
    view_permission = "citizen.view"
    list_display = ("created", "channel", "municipality", "state")
    list_filter = ("state", "channel")
    readonly_fields = ("citizen", "channel", "address", "session", "municipality", "state")
