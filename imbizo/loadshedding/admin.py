"""Load-shedding in the admin: the staff page that sets the stage in force (through
``services.stage_set``, audited, with its event), and the areas, read-only (they change
only by ``imbizo import-loadshedding``).

Holders of ``loadshedding.manage`` see the national changes and their municipalities' own;
a platform administrator sets the national stage (municipality left empty), a municipal
administrator their municipality's own stage.
"""

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils import timezone

from imbizo.audit.admin_scoping import ScopedAdmin, request_actor

from .models import Area, AreaSuburb, StageChange
from .services import MANAGE, stage_set


class StageChangeForm(forms.ModelForm):
    class Meta:
        model = StageChange
        fields = ["stage", "municipality", "at", "note"]
        help_texts = {"municipality": "Empty: the national stage. A municipality: its own "
                                      "stage, for the areas whose schedule it runs.",
                      "at": "When it takes effect (now, or a known change ahead)."}


@admin.register(StageChange)
class StageChangeAdmin(ScopedAdmin):
    view_permission = MANAGE
    change_permission = MANAGE
    form = StageChangeForm
    list_display = ["at", "stage", "municipality", "source", "note"]
    list_filter = ["source", "stage"]
    list_select_related = ["municipality"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        """The national changes, and those of the municipalities the staff member manages."""
        actor = request_actor(request)
        qs = StageChange.objects.select_related("municipality").defer("municipality__boundary")
        if actor.is_global(MANAGE):
            return qs
        return qs.filter(Q(municipality__isnull=True)
                         | Q(municipality_id__in=actor.municipality_ids(MANAGE)))

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # set anew, never edited

    def get_changeform_initial_data(self, request):
        return {"at": timezone.localtime().replace(second=0, microsecond=0)}

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        obj.pk = stage_set(actor=request_actor(request), stage=data["stage"],
                           municipality=data.get("municipality"), at=data.get("at"),
                           note=data.get("note", "")).pk


class SuburbInline(admin.TabularInline):
    model = AreaSuburb
    fields = ["name"]
    readonly_fields = ["name"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Area)
class AreaAdmin(ScopedAdmin):
    view_permission = MANAGE
    municipality_field = None  # national data
    list_display = ["key", "name", "provider", "municipality", "cycle", "has_schedule"]
    list_filter = ["provider", "cycle", "has_schedule"]
    list_select_related = ["municipality"]
    search_fields = ["key", "name", "suburbs__normalised"]
    exclude = ["content_hash"]
    inlines = [SuburbInline]
