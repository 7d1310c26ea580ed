"""API keys for integrators (a CRM, an ERP, an Open311 client)."""

from django.db import models

from imbizo.accounts.models import Role
from imbizo.core.models import MunicipalModel


class ApiKey(MunicipalModel):
    """Only a hash of the key is kept; the key itself is shown once, when made."""

    name = models.CharField(max_length=120)
    prefix = models.CharField(max_length=8, unique=True, help_text="Shown to tell keys apart.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AGENT,
                            help_text="What the key may do: the permissions of this role.")
    active = models.BooleanField(default=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
