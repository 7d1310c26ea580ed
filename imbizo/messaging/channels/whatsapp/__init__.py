from .plugin import WhatsAppPlugin

__all__ = ["WhatsAppPlugin"]
