"""Representatives change only through ``imbizo import-representatives`` (one audited,
all-or-nothing service): read-only here, for those who keep the published lists."""

from django.contrib import admin

from imbizo.audit.admin_scoping import ScopedAdmin

from .models import Representative, TraditionalCouncil


@admin.register(Representative)
class RepresentativeAdmin(ScopedAdmin):
    view_permission = "representatives.manage"
    list_display = ["name", "kind", "municipality", "ward", "council", "party", "active"]
    list_filter = ["kind", "active"]
    list_select_related = ["municipality", "ward", "council__authority"]
    search_fields = ["name", "party", "key", "municipality__code"]
    raw_id_fields = ["ward", "council", "user"]


@admin.register(TraditionalCouncil)
class TraditionalCouncilAdmin(ScopedAdmin):
    view_permission = "representatives.manage"
    municipality_field = None  # an authority is no municipality's; its people are
    list_display = ["authority", "name", "phone"]
    list_select_related = ["authority"]
    search_fields = ["name", "authority__code", "authority__name"]
