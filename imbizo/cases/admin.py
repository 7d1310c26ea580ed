"""Back-office configuration of categories, teams, routing and escalation, written through
the catalogue services with their checks; cases read-only (they change only through the
lifecycle services), shown with their history and photos."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from imbizo.accounts.selectors import membership_list
from imbizo.audit.admin_scoping import ScopedAdmin, form_changes, request_actor
from imbizo.core.permissions import Role

from .catalogue import (
    ESCALATION_ROLES,
    category_create,
    category_update,
    escalation_step_create,
    escalation_step_update,
    routing_rule_create,
    routing_rule_update,
    team_create,
    team_update,
)
from .models import Attachment, Case, CaseUpdate, Category, EscalationStep, RoutingRule, Team
from .photos import photo_url
from .selectors import case_list


class ConfigurationAdmin(ScopedAdmin):
    view_permission = "case.view"
    change_permission = "department.manage"

    def staff(self, request):
        """Users holding a role where this admin manages staff: the only assignees and
        team members offered (the services check each one's municipality)."""
        memberships = membership_list(actor=request_actor(request)).filter(
            active=True, municipality__isnull=False)
        return get_user_model().objects.filter(pk__in=memberships.values("user_id")) \
            .order_by("username")


@admin.register(Category)
class CategoryAdmin(ConfigurationAdmin):
    list_display = ["code", "name", "municipality", "department", "priority", "ack_hours",
                    "resolve_hours", "calendar", "public", "active"]
    list_filter = ["priority", "calendar", "public", "active"]
    list_select_related = ["municipality", "department__municipality"]
    search_fields = ["code", "name"]
    fields = ["municipality", "code", "name", "parent", "department", "description", "keywords",
              "priority", "ack_hours", "resolve_hours", "calendar", "fields", "photo_required",
              "location_required", "duplicate_radius_m", "public", "active"]
    fixed_after_create = ("municipality", "code")  # the code is the Open311 service_code

    def save_model(self, request, obj, form, change):
        actor = request_actor(request)
        if change:
            category_update(actor=actor, category=obj, **form_changes(form))
        else:
            obj.pk = category_create(actor=actor, **form.cleaned_data).pk


@admin.register(RoutingRule)
class RoutingRuleAdmin(ConfigurationAdmin):
    list_display = ["__str__", "municipality", "after_hours_only", "active"]
    list_select_related = ["municipality", "category", "ward__municipality",
                           "department__municipality"]
    raw_id_fields = ["ward", "assignee"]
    fields = ["municipality", "category", "ward", "after_hours_only", "department", "team",
              "assignee", "active"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if obj else [f for f in fields if f != "active"]  # a new rule is active

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignee":
            kwargs["queryset"] = self.staff(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        actor = request_actor(request)
        if change:
            routing_rule_update(actor=actor, rule=obj, **form_changes(form))
        else:
            obj.pk = routing_rule_create(actor=actor, **form.cleaned_data).pk


class EscalationStepForm(forms.ModelForm):
    role = forms.ChoiceField(choices=[(r.value, r.label) for r in Role if r in ESCALATION_ROLES])

    class Meta:
        model = EscalationStep
        fields = ["department", "level", "role", "department_only", "after_hours"]


@admin.register(EscalationStep)
class EscalationStepAdmin(ConfigurationAdmin):
    form = EscalationStepForm
    list_display = ["department", "level", "role", "department_only", "after_hours"]
    list_select_related = ["department__municipality"]
    fields = ["department", "level", "role", "department_only", "after_hours"]

    def save_model(self, request, obj, form, change):
        actor = request_actor(request)
        if change:
            escalation_step_update(actor=actor, step=obj, **form_changes(form))
        else:
            obj.pk = escalation_step_create(actor=actor, **form.cleaned_data).pk


@admin.register(Team)
class TeamAdmin(ConfigurationAdmin):
    list_display = ["name", "department", "municipality"]
    list_select_related = ["department__municipality", "municipality"]
    fields = ["department", "name", "members"]  # the municipality is the department's
    filter_horizontal = ["members"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "members":
            kwargs["queryset"] = self.staff(request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        actor, data = request_actor(request), form.cleaned_data
        if change:
            team_update(actor=actor, team=obj, **form_changes(form))
        else:
            obj.pk = team_create(actor=actor, department=data["department"], name=data["name"],
                                 members=list(data["members"])).pk


class CaseUpdateInline(admin.TabularInline):
    """The case's history, read-only."""

    model = CaseUpdate
    extra = 0
    can_delete = False
    fields = readonly_fields = ["created", "kind", "author", "from_status", "to_status", "text"]
    verbose_name_plural = _("history")

    def has_view_permission(self, request, obj=None):
        return request_actor(request).has("case.view")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def photo_urls(attachment: Attachment) -> tuple[str, str]:
    """Where the admin links a photo and shows its thumbnail: the permission-checked
    photo view, which the staff member's session opens."""
    return photo_url(attachment), photo_url(attachment, thumbnail=True)


@admin.register(Case)
class CaseAdmin(ScopedAdmin):
    view_permission = "case.view"
    ward_field = "ward"
    department_field = "department"
    list_display = ["reference", "category", "status", "priority", "department", "ward",
                    "created", "resolve_due", "resolve_breached"]
    list_filter = ["status", "priority", "channel", "resolve_breached"]
    list_select_related = ["category", "department__municipality", "ward__municipality"]
    search_fields = ["reference"]
    date_hierarchy = "created"
    show_full_result_count = False
    exclude = ["idempotency_key"]
    readonly_fields = ["photos"]
    inlines = [CaseUpdateInline]

    class Media:
        css = {"all": ["cases/admin.css"]}  # no inline style: the CSP forbids it

    def get_queryset(self, request):
        return case_list(actor=request_actor(request))

    @admin.display(description=_("photos"))
    def photos(self, case):
        links = [(*photo_urls(a), a.width, a.height) for a in case.attachments.all()]
        if not links:
            return "-"
        return format_html_join(
            " ", '<a href="{}" target="_blank" rel="noopener" title="{}×{}">'
            '<img src="{}" alt="{}" class="case-photo"></a>',
            ((image, width, height, thumbnail, _("photo"))
             for image, thumbnail, width, height in links))
