from django.contrib import admin, messages

from imbizo.audit.admin_scoping import ScopedAdmin, request_actor

from .keys import api_key_create
from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(ScopedAdmin):
    view_permission = "apikey.manage"
    change_permission = "apikey.manage"
    list_display = ["name", "prefix", "municipality", "role", "active", "last_used"]
    list_filter = ["active", "role"]
    fields = ["municipality", "name", "role", "active"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        row, key = api_key_create(actor=request_actor(request), municipality=obj.municipality,
                                  name=obj.name, role=obj.role)
        obj.pk = row.pk
        messages.warning(request, f"The new key is {key} — copy it now; it is not shown again.")
