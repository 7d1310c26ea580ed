"""Billing in the admin, read-only: accounts change only by import from the billing
system; links, decisions on arrangements and reviews of readings only through their
services. A municipality's arrangement policy is shown here; until it has a service of its
own to save it through (every admin that writes does), it is set from the shell."""

from django.contrib import admin

from imbizo.audit.admin_scoping import ScopedAdmin

from .models import (
    AccountLink,
    Arrangement,
    ArrangementPolicy,
    ImportBatch,
    MeterReading,
    UtilityAccount,
)


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
    list_display = ["municipality", "deposit_percent", "max_months", "min_instalment",
                    "auto_approve_max_arrears"]
    list_select_related = ["municipality"]


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
