"""Geography is public and changes only through ``imbizo import-boundaries``: read-only here."""

from django.contrib import admin

from imbizo.audit.admin_scoping import ScopedAdmin

from .models import Municipality, Province, TraditionalAuthority, Ward


class GeographyAdmin(ScopedAdmin):
    view_permission = "geo.view"
    municipality_field = None
    search_fields = ["code", "name"]
    exclude = ["boundary"]


@admin.register(Province)
class ProvinceAdmin(GeographyAdmin):
    list_display = ["code", "name"]


@admin.register(Municipality)
class MunicipalityAdmin(GeographyAdmin):
    list_display = ["code", "name", "category", "province", "district"]
    list_filter = ["category", "province"]
    list_select_related = ["province", "district"]


@admin.register(Ward)
class WardAdmin(GeographyAdmin):
    list_display = ["code", "number", "name", "municipality"]
    list_filter = ["municipality__province"]
    list_select_related = ["municipality"]
    search_fields = ["code", "name", "municipality__code", "suburbs"]


@admin.register(TraditionalAuthority)
class TraditionalAuthorityAdmin(GeographyAdmin):
    list_display = ["code", "name", "province"]
