from .provider import EmailProvider

__all__ = ["EmailProvider"]
