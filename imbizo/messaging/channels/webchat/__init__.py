from .plugin import WebChatPlugin

__all__ = ["WebChatPlugin"]
