from .plugin import TelegramPlugin

__all__ = ["TelegramPlugin"]
