"""Rands as residents read them on a bill: ``R 1,520.35``, and ``-R 500.00`` for a credit
or a payment. One spelling for the web page, the PDF and every channel."""

from decimal import Decimal, InvalidOperation


def rands(amount) -> str:
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    text = f"R {abs(value):,.2f}"
    return f"-{text}" if value < 0 else text
