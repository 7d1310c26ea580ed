"""What a resident passes on to a neighbour: the municipality's short link and its USSD
code (docs/community.md, "Share")."""

from django.db import models

from imbizo.core.models import MunicipalModel


class ShareCode(MunicipalModel):
    """A municipality's short link ``/s/<code>`` and the USSD service code residents dial
    (the municipality's own, as its USSD gateway is set up: ``ussd_code``). Counts only:
    how often the link was opened and the text handed out, never by whom."""

    code = models.SlugField(max_length=20, unique=True)
    ussd_code = models.CharField(max_length=20, blank=True)
    opened = models.PositiveBigIntegerField(default=0)
    given = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality"],
                                               name="community_one_share_code")]

    def __str__(self) -> str:
        return self.code
