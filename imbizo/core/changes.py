"""Helpers every update service shares: lock the row, apply only the changes it allows."""

from typing import Any

from django.utils.translation import gettext as _

from .errors import ImbizoError


def fields_assign(obj, changes: dict[str, Any], allowed: tuple[str, ...]) -> list[str]:
    """Set the changes on ``obj``; the names of the fields whose value moved. A field
    outside ``allowed`` is refused, naming it, before anything is set."""
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ImbizoError("not_changeable", _("%(field)s cannot be changed here.")
                          % {"field": unknown[0]}, field=unknown[0])
    moved = [name for name, value in changes.items() if getattr(obj, name) != value]
    for name in moved:
        setattr(obj, name, changes[name])
    return moved


def row_locked(model, pk: int):
    """The row, locked against a concurrent change (not its municipality's row)."""
    return model.objects.select_for_update(of=("self",)).select_related("municipality").get(pk=pk)
