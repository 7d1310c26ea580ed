from .provider import DevProvider

__all__ = ["DevProvider"]
