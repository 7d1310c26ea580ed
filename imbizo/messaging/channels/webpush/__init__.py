"""Web Push (``provider.WebPushProvider``). Imports nothing here: ``imbizo demo`` reads
``keys`` before Django's settings are loaded."""
