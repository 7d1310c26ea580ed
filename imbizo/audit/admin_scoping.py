"""Django admin that obeys the one permission layer.

Each admin names the permission that opens it and how its rows are scoped; the
staff user's memberships decide the rest, exactly as in selectors. Django's own
per-model permissions are not consulted, so there is one source of truth.
Saves and deletes made here are audited with the admin as their channel.
"""

from django.contrib import admin

from imbizo.core.permissions import Actor, scope

from .services import audit_record


def request_actor(request) -> Actor:
    """The staff member's actor, put on the request by ``accounts.middleware``."""
    return request.actor


class ScopedAdmin(admin.ModelAdmin):
    view_permission = "citizen.view"
    change_permission = ""  # empty: read-only in the admin
    municipality_field: str | None = "municipality"  # None: platform-wide data
    ward_field: str | None = None
    department_field: str | None = None

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        actor = request_actor(request)
        if self.municipality_field is None:
            return qs if actor.has(self.view_permission) else qs.none()
        return scope(actor, qs, self.view_permission, municipality_field=self.municipality_field,
                     ward_field=self.ward_field, department_field=self.department_field)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and \
            request_actor(request).has(self.view_permission)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return bool(self.change_permission) and request_actor(request).has(
            self.change_permission, self._municipality_id(obj))

    def has_add_permission(self, request):
        return self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Offer only the municipalities the user may change records in."""
        if db_field.name == "municipality" and self.change_permission:
            actor = request_actor(request)
            if not actor.is_global(self.change_permission):
                kwargs["queryset"] = db_field.related_model.objects.filter(
                    pk__in=actor.municipality_ids(self.change_permission))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _municipality_id(self, obj) -> int | None:
        if obj is None or not self.municipality_field:
            return None
        return getattr(obj, f"{self.municipality_field.split('__')[0]}_id", None)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        actor = request_actor(request)
        municipality = getattr(obj, "municipality", None)
        audit_record(actor=actor.label, channel="admin",
                     action=f"{obj._meta.model_name}.{'change' if change else 'create'}",
                     obj=obj, municipality_code=getattr(municipality, "code", ""),
                     changes={"fields": sorted(form.changed_data)})
