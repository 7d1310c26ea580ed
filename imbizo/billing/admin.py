"""Billing in the admin, read-only: accounts change only by import from the billing
system; links, decisions on arrangements and reviews of readings only through their
services. A municipality's arrangement policy is changed here by its revenue managers,
saved through ``policy.arrangement_policy_set`` as the console's policy page saves it."""

from django.contrib import admin

from imbizo.audit.admin_scoping import ScopedAdmin, form_changes, request_actor

from .models import (
    AccountLink,
    Arrangement,
    ArrangementPolicy,
    ImportBatch,
    MeterReading,
    UtilityAccount,
)
from .policy import POLICY_FIELDS, arrangement_policy_set, revenue_municipality_ids


class BillingAdmin(ScopedAdmin):
    view_permission = "billing.view"


@admin.register(UtilityAccount)
class UtilityAccountAdmin(BillingAdmin):
    list_display = ["account_number", "holder_name", "municipality", "ward", "balance",
                    "arrears_120", "due_date"]
    list_select_related = ["municipality", "ward__municipality"]
    search_fields = ["account_number", "holder_name"]
    exclude = ["holder_id_hash", "content_hash"]


@admin.register(ImportBatch)
class ImportBatchAdmin(BillingAdmin):
    list_display = ["source", "municipality", "started", "finished", "rows_read",
                    "accounts_created", "accounts_updated", "accounts_unchanged",
                    "accounts_rejected"]
    list_select_related = ["municipality"]


@admin.register(AccountLink)
class AccountLinkAdmin(BillingAdmin):
    list_display = ["account", "citizen", "role", "method", "created", "consented", "unlinked"]
    list_select_related = ["account", "citizen"]
    raw_id_fields = ["account", "citizen", "approved_by"]


@admin.register(ArrangementPolicy)
class ArrangementPolicyAdmin(BillingAdmin):
    """Revenue staff (``policy.revenue_municipality_ids``) add or change their
    municipality's policy; everyone with ``billing.view`` reads it."""

    change_permission = "billing.manage"
    list_display = ["municipality", "deposit_percent", "max_months", "min_instalment",
                    "auto_approve_max_arrears"]
    list_select_related = ["municipality"]
    fields = ["municipality", *POLICY_FIELDS]

    def get_queryset(self, request):
        """Those ``billing.view`` opens, and their own municipality's to revenue staff of a
        department (whose membership opens no billing rows by itself)."""
        ids = revenue_municipality_ids(request_actor(request))
        qs = super().get_queryset(request)
        return qs if ids is None else qs | qs.model.objects.filter(municipality_id__in=ids)

    def has_change_permission(self, request, obj=None):
        ids = revenue_municipality_ids(request_actor(request))
        return ids is None or (obj.municipality_id in ids if obj is not None else bool(ids))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        ids = revenue_municipality_ids(request_actor(request))
        if db_field.name == "municipality" and ids is not None:
            field.queryset = field.queryset.filter(pk__in=ids)
        return field

    def save_model(self, request, obj, form, change):
        actor = request_actor(request)
        if change:
            arrangement_policy_set(actor=actor, municipality=obj.municipality,
                                   **form_changes(form))
        else:
            data = dict(form.cleaned_data)
            obj.pk = arrangement_policy_set(actor=actor, municipality=data.pop("municipality"),
                                            **data).pk


@admin.register(Arrangement)
class ArrangementAdmin(BillingAdmin):
    list_display = ["account", "status", "deposit", "months", "created"]
    list_filter = ["status"]
    list_select_related = ["account"]
    raw_id_fields = ["account"]


@admin.register(MeterReading)
class MeterReadingAdmin(BillingAdmin):
    list_display = ["account", "kind", "value", "read_on", "flag"]
    list_filter = ["kind", "flag"]
    list_select_related = ["account"]
    raw_id_fields = ["account"]
