"""Back-office configuration of categories, routing and escalation; cases read-only
(they change only through the lifecycle services)."""

from django.contrib import admin

from imbizo.audit.admin_scoping import ScopedAdmin

from .models import Case, CaseUpdate, Category, EscalationStep, RoutingRule, Team


class ConfigurationAdmin(ScopedAdmin):
    view_permission = "case.view"
    change_permission = "department.manage"


@admin.register(Category)
class CategoryAdmin(ConfigurationAdmin):
    list_display = ["code", "name", "municipality", "department", "priority", "ack_hours",
                    "resolve_hours", "calendar", "public", "active"]
    list_filter = ["priority", "calendar", "public", "active"]
    list_select_related = ["municipality", "department__municipality"]
    search_fields = ["code", "name"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(ConfigurationAdmin):
    list_display = ["__str__", "municipality", "after_hours_only", "active"]
    list_select_related = ["municipality", "category", "ward__municipality",
                           "department__municipality"]
    raw_id_fields = ["ward", "assignee"]


@admin.register(EscalationStep)
class EscalationStepAdmin(ConfigurationAdmin):
    list_display = ["department", "level", "role", "department_only", "after_hours"]
    list_select_related = ["department__municipality"]


@admin.register(Team)
class TeamAdmin(ConfigurationAdmin):
    list_display = ["name", "department", "municipality"]
    list_select_related = ["department__municipality", "municipality"]


class CaseUpdateInline(admin.TabularInline):
    model = CaseUpdate
    extra = 0
    can_delete = False
    fields = readonly_fields = ["created", "kind", "author", "from_status", "to_status", "text"]

    def has_add_permission(self, request, obj=None):
        return False


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
    inlines = [CaseUpdateInline]
