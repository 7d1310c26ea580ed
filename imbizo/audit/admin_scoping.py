"""Django admin that obeys the one permission layer and writes only through services.

Each admin names the permission that opens it and how its rows are scoped; the
staff user's memberships decide the rest, exactly as in selectors. Django's own
per-model permissions are not consulted, so there is one source of truth.

An admin that lets staff add or change rows calls the services in its own
``save_model``, so the admin runs the same checks and writes the same audit entries
(channel "admin") as every other channel; the base refuses to save directly. A
service's refusal comes back as the form again, with what was typed and the reason
on the field it names.
"""

from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import Actor, scope


def request_actor(request) -> Actor:
    """The staff member's actor, put on the request by ``accounts.middleware``."""
    return request.actor


def form_changes(form) -> dict:
    """What the staff member changed on the form, ready to pass to an update service."""
    return {name: form.cleaned_data[name] for name in form.changed_data}


class ScopedAdmin(admin.ModelAdmin):
    view_permission = "citizen.view"
    change_permission = ""  # empty: read-only in the admin
    municipality_field: str | None = "municipality"  # None: platform-wide data
    ward_field: str | None = None
    department_field: str | None = None
    fixed_after_create: tuple[str, ...] = ("municipality",)  # no service moves these

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        actor = request_actor(request)
        if self.municipality_field is None:
            return qs if actor.has(self.view_permission) else qs.none()
        return scope(actor, qs, self.view_permission, municipality_field=self.municipality_field,
                     ward_field=self.ward_field, department_field=self.department_field)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and \
            request_actor(request).has(self.view_permission)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return bool(self.change_permission) and request_actor(request).has(
            self.change_permission, self._municipality_id(obj))

    def has_add_permission(self, request):
        return self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            names = {field.name for field in self.opts.get_fields()}
            readonly += [f for f in self.fixed_after_create if f in names and f not in readonly]
        return readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Offer only municipalities the user may change records in, and only departments,
        categories, wards and teams of those municipalities."""
        actor = request_actor(request)
        if self.change_permission and not actor.is_global(self.change_permission):
            allowed = actor.municipality_ids(self.change_permission)
            related = db_field.related_model
            if db_field.name == "municipality":
                kwargs["queryset"] = related.objects.filter(pk__in=allowed)
            elif any(f.name == "municipality" and f.concrete for f in related._meta.get_fields()):
                kwargs["queryset"] = related.objects.filter(municipality_id__in=allowed)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _municipality_id(self, obj) -> int | None:
        if obj is None or not self.municipality_field:
            return None
        return getattr(obj, f"{self.municipality_field.split('__')[0]}_id", None)

    def save_model(self, request, obj, form, change):
        """Interfaces never write models: an admin that can add or change rows saves them
        through a service in its own ``save_model``."""
        raise NotImplementedError(f"{type(self).__name__} must save through a service.")

    def save_related(self, request, form, formsets, change):
        """Related rows (a team's members) are written by the services too; inlines here
        are read-only."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A service that refuses a save answers like a form that fails validation: the
        page again, with what was typed. The refused attempt is rolled back whole (Django
        runs it in a transaction), then the form is validated again with the refusal."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ImbizoError, ValidationError) as refusal:
            if request.method != "POST" or hasattr(request, "service_refusal"):
                raise
            request.service_refusal = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "service_refusal", None)
        return form if refusal is None else _refused(form, refusal)


def _reasons(refusal: ImbizoError | ValidationError) -> list[tuple[str | None, str]]:
    """(field or None, message) for each reason a service gave."""
    if isinstance(refusal, ImbizoError):
        return [(refusal.extra.get("field"), refusal.message)]
    if hasattr(refusal, "error_dict"):
        return [(None if field == NON_FIELD_ERRORS else field, message)
                for field, messages in refusal.message_dict.items() for message in messages]
    return [(None, message) for message in refusal.messages]


def _refused(form_class, refusal):
    """The admin's form, failing validation with the service's reasons: on the field an
    error names when the form shows it, else above the form."""
    class RefusedForm(form_class):
        def clean(self):
            cleaned = super().clean()
            for field, message in _reasons(refusal):
                self.add_error(field if field in self.fields else None, message)
            return cleaned

    return RefusedForm
