"""Facilities in the admin. A municipality's own (offices, pay points, libraries, water
points) are added and changed here by its staff holding ``facilities.manage``, saved
through ``facility_create`` and ``facility_update``; imported ones, and the sources with
their licences, are read-only (they change by import)."""

from django.contrib import admin

from imbizo.audit.admin_scoping import ScopedAdmin, form_changes, request_actor

from .models import Facility, FacilitySource
from .services import MANAGE, OWN_FIELDS, facility_create, facility_update


@admin.register(Facility)
class FacilityAdmin(ScopedAdmin):
    view_permission = MANAGE
    change_permission = MANAGE
    list_display = ["name", "kind", "municipality", "ward", "source", "active"]
    list_filter = ["kind", "active", "source"]
    list_select_related = ["municipality", "ward__municipality", "source"]
    search_fields = ["name", "address", "source_ref"]
    fields = ["municipality", *OWN_FIELDS]
    readonly_fields = ["ward", "source", "source_ref"]
    # Platform administrators see every facility; a municipality's staff its own entries
    # and the imported ones placed in it (ScopedAdmin's scope by municipality).

    def get_fields(self, request, obj=None):
        if obj is not None and obj.source_id is not None:
            return ["kind", "name", "latitude", "longitude", "address", "phone", "hours",
                    "details", "active", "municipality", "ward", "source", "source_ref"]
        return [*self.fields, "ward"] if obj is not None else self.fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.source_id is not None:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        actor = request_actor(request)
        if change:
            facility_update(actor=actor, facility=obj, **form_changes(form))
            return
        data = dict(form.cleaned_data)
        obj.pk = facility_create(actor=actor, municipality=data.pop("municipality"),
                                 **data).pk


@admin.register(FacilitySource)
class FacilitySourceAdmin(ScopedAdmin):
    view_permission = MANAGE
    municipality_field = None
    list_display = ["key", "name", "licence"]
