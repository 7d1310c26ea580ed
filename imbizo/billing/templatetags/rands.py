"""``{{ amount|rands }}`` in the statement templates (billing/money.py)."""

from django import template

from imbizo.billing.money import rands as _rands

register = template.Library()
register.filter("rands", _rands)
