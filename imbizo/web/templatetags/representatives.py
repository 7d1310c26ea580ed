"""Showing a representative on a page: their photo's address, their initials where there
is none, and a phone number written the way people dial it here."""

from django import template

from imbizo.representatives import display, photos, portraits

register = template.Library()


@register.filter
def photo_address(person) -> str:
    return photos.photo_address(person) or ""


@register.filter
def initials(name: str) -> str:
    return portraits.initials(name)


@register.filter
def dialled(phone: str) -> str:
    return display.dialled(phone)
