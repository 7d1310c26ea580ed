"""Africa's Talking: USSD sessions (answered inside the callback) and SMS both ways."""

from .sms import SmsPlugin
from .ussd import UssdPlugin

__all__ = ["SmsPlugin", "UssdPlugin"]
