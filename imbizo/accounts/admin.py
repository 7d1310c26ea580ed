"""Residents, consent, departments and memberships in the admin, scoped by membership."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _

from imbizo.audit.admin_scoping import ScopedAdmin, request_actor
from imbizo.core.errors import ImbizoError

from .idnumber import parse_id_number
from .models import Citizen, Consent, Department, Membership
from .phone import normalise_phone
from .services import citizen_erase, department_create, membership_grant


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

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        department_create(actor=request_actor(request), municipality=obj.municipality,
                          code=obj.code, name=obj.name)


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    view_permission = "membership.manage"
    change_permission = "membership.manage"
    list_display = ["user", "role", "municipality", "department", "ward", "active"]
    list_filter = ["role", "active"]
    list_select_related = ["user", "municipality", "department__municipality",
                           "ward__municipality"]
    raw_id_fields = ["ward", "user"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        granted = membership_grant(actor=request_actor(request), user=obj.user, role=obj.role,
                                   municipality=obj.municipality, department=obj.department,
                                   ward=obj.ward)
        obj.pk = granted.pk
