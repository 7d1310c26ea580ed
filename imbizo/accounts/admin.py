"""Residents, consent, departments and memberships in the admin, scoped by membership and
written through the services."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _

from imbizo.audit.admin_scoping import ScopedAdmin, form_changes, request_actor
from imbizo.core.errors import ImbizoError

from .idnumber import parse_id_number
from .models import Citizen, Consent, Department, Membership
from .phone import normalise_phone
from .selectors import department_list, membership_list
from .services import (
    citizen_erase,
    citizen_register,
    citizen_update,
    department_create,
    department_update,
    membership_change,
    membership_grant,
    membership_revoke,
)


class CitizenForm(forms.ModelForm):
    """The same checks as every channel, shown as field errors that keep what was typed."""

    class Meta:
        model = Citizen
        fields = ["phone", "name", "id_number", "email", "language", "preferred_channel",
                  "municipality", "ward"]

    def clean_phone(self):
        try:
            return normalise_phone(self.cleaned_data["phone"])
        except ImbizoError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        try:
            return parse_id_number(value).number if value else ""
        except ImbizoError as exc:
            raise forms.ValidationError(exc.message) from None


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    can_delete = False
    readonly_fields = ["purpose", "channel", "given", "withdrawn"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Citizen)
class CitizenAdmin(ScopedAdmin):
    form = CitizenForm
    view_permission = "citizen.view"
    change_permission = "citizen.change"
    ward_field = "ward"
    list_display = ["phone", "name", "municipality", "ward", "language", "erased"]
    list_filter = [("erased", admin.EmptyFieldListFilter)]
    list_select_related = ["municipality", "ward__municipality"]
    search_fields = ["phone", "name"]
    raw_id_fields = ["ward"]
    inlines = [ConsentInline]
    actions = ["erase"]
    fixed_after_create = ()  # a resident may move: citizen_update checks both places

    def save_model(self, request, obj, form, change):
        actor = request_actor(request)
        if change:
            citizen_update(actor=actor, citizen=obj, **form_changes(form))
        else:
            obj.pk = citizen_register(actor=actor, **form.cleaned_data).pk

    def has_change_permission(self, request, obj=None):
        """An erased resident's row holds nothing left to change."""
        return not (obj and obj.erased) and super().has_change_permission(request, obj)

    def has_erase_permission(self, request):
        return request_actor(request).has("citizen.erase")

    @admin.action(description=_("Erase the selected residents' personal data (POPIA)"),
                  permissions=["erase"])
    def erase(self, request, queryset):
        actor, erased = request_actor(request), 0
        for citizen in queryset:
            try:
                citizen_erase(actor=actor, citizen=citizen)
                erased += 1
            except ImbizoError as exc:
                self.message_user(request, f"{citizen.uuid}: {exc.message}", messages.WARNING)
        if erased:
            self.message_user(request, _("%(n)d residents' personal data erased; their cases "
                                         "stay, anonymised.") % {"n": erased}, messages.SUCCESS)


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    view_permission = "case.view"
    change_permission = "department.manage"
    list_display = ["name", "code", "municipality"]
    list_select_related = ["municipality"]
    fields = ["municipality", "code", "name"]

    def get_queryset(self, request):
        return department_list(actor=request_actor(request))

    def save_model(self, request, obj, form, change):
        actor = request_actor(request)
        if change:
            department_update(actor=actor, department=obj, **form_changes(form))
        else:
            obj.pk = department_create(actor=actor, **form.cleaned_data).pk


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    view_permission = "membership.manage"
    change_permission = "membership.manage"
    list_display = ["user", "role", "municipality", "department", "ward", "active"]
    list_filter = ["role", "active"]
    list_select_related = ["user", "municipality", "department__municipality",
                           "ward__municipality"]
    raw_id_fields = ["ward", "user"]
    fields = ["user", "municipality", "role", "department", "ward", "active"]
    fixed_after_create = ("user", "municipality")  # another user or place: another grant
    actions = ["revoke"]

    def get_queryset(self, request):
        return membership_list(actor=request_actor(request))

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if obj else [f for f in fields if f != "active"]  # a grant is active

    def save_model(self, request, obj, form, change):
        actor = request_actor(request)
        if change:
            membership_change(actor=actor, membership=obj, **form_changes(form))
        else:
            obj.pk = membership_grant(actor=actor, **form.cleaned_data).pk

    def has_revoke_permission(self, request):
        return request_actor(request).has(self.change_permission)

    @admin.action(description=_("Revoke the selected memberships"), permissions=["revoke"])
    def revoke(self, request, queryset):
        actor, revoked = request_actor(request), 0
        for membership in queryset:
            try:
                membership_revoke(actor=actor, membership=membership)
                revoked += 1
            except ImbizoError as exc:
                self.message_user(request, f"{membership}: {exc.message}", messages.WARNING)
        if revoked:
            self.message_user(request, _("%(n)d memberships revoked.") % {"n": revoked},
                              messages.SUCCESS)
