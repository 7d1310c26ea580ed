"""API keys in the admin: made, renamed and revoked through the services; the key itself is
shown once, when made."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from imbizo.audit.admin_scoping import ScopedAdmin, form_changes, request_actor
from imbizo.core.errors import ImbizoError

from .keys import api_key_create, api_key_rename, api_key_revoke
from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(ScopedAdmin):
    view_permission = "apikey.manage"
    change_permission = "apikey.manage"
    list_display = ["name", "prefix", "municipality", "role", "active", "last_used"]
    list_filter = ["active", "role"]
    fixed_after_create = ("municipality", "role")  # another role: another key
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["municipality", "name", "role"]
        return ["municipality", "name", "role", "prefix", "active", "last_used", "created"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # A revoked key stays revoked: an integrator gets a new one.
        return [*super().get_readonly_fields(request, obj), "prefix", "last_used", "created",
                *([] if obj.active else ["active"])]

    def save_model(self, request, obj, form, change):
        actor, changes = request_actor(request), form_changes(form)
        if not change:
            row, key = api_key_create(actor=actor, **form.cleaned_data)
            obj.pk = row.pk
            messages.warning(request, _("The new key is %(key)s — copy it now; it is not shown "
                                        "again.") % {"key": key})
            return
        if "name" in changes:
            api_key_rename(actor=actor, key=obj, name=changes["name"])
        if changes.get("active") is False:
            api_key_revoke(actor=actor, key=obj)

    def has_revoke_permission(self, request):
        return request_actor(request).has(self.change_permission)

    @admin.action(description=_("Revoke the selected keys"), permissions=["revoke"])
    def revoke(self, request, queryset):
        actor, revoked = request_actor(request), 0
        for key in queryset:
            try:
                api_key_revoke(actor=actor, key=key)
                revoked += 1
            except ImbizoError as exc:
                self.message_user(request, f"{key}: {exc.message}", messages.WARNING)
        if revoked:
            self.message_user(request, _("%(n)d keys revoked.") % {"n": revoked},
                              messages.SUCCESS)
