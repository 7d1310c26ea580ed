from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "imbizo.accounts"
    label = "accounts"
