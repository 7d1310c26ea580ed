"""Municipal accounts as the billing system knows them, their statements and transactions,
and the residents linked to them.

The billing system is the source of truth: these rows are a copy, refreshed by imports
(importer.py). The holder's ID number is never stored, only a keyed hash of it
(identity.py). Statements, their lines and transactions are the largest tables (twelve
statements of four lines an account), so they carry no public uuid and index only what is
looked up: an account's statements by period, a statement's lines, an account's
transactions by reference. Their municipality is kept for tenancy and not indexed: every
lookup reaches them through their account.
"""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone

from imbizo.core.models import MunicipalModel

MONEY = {"max_digits": 14, "decimal_places": 2}
ARREARS_BUCKETS = ("current", "30", "60", "90", "120")  # days past due; 120 is 120 and more


def _municipality(**kwargs) -> models.ForeignKey:
    """The unit of tenancy. On the bulk tables (statements, lines, transactions) it is
    written by the import from the account's and not checked again by the database: a
    foreign-key check per row was a third of the import's time."""
    return models.ForeignKey("geo.Municipality", on_delete=models.PROTECT, related_name="+",
                             **kwargs)


class ImportBatch(MunicipalModel):
    """One import of a file or one push over the API, with its reconciliation report."""

    municipality = _municipality(db_index=False)  # the index below serves
    source = models.CharField(max_length=200, help_text="File name, or the API key's prefix.")
    actor = models.CharField(max_length=120)
    channel = models.CharField(max_length=10)
    started = models.DateTimeField()
    finished = models.DateTimeField(null=True, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    accounts_created = models.PositiveIntegerField(default=0)
    accounts_updated = models.PositiveIntegerField(default=0)
    accounts_unchanged = models.PositiveIntegerField(default=0)
    accounts_rejected = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder,
                              help_text="Statement and transaction counts, totals against "
                                        "the declared control totals, rejected rows.")

    class Meta:
        verbose_name_plural = "import batches"
        indexes = [models.Index(fields=["municipality", "-started"])]

    def __str__(self) -> str:
        return f"{self.source} ({self.started:%Y-%m-%d %H:%M})"


class UtilityAccount(MunicipalModel):
    municipality = _municipality(db_index=False)  # the account number's unique index serves
    account_number = models.CharField(max_length=32)
    holder_name = models.CharField(max_length=200)
    holder_id_hash = models.CharField(
        max_length=64, blank=True, help_text="Keyed hash of the holder's ID number; never "
                                             "the number itself.")
    property_description = models.CharField(max_length=300, blank=True,
                                            help_text="Erf and street address.")
    ward = models.ForeignKey("geo.Ward", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    services = models.JSONField(default=list, blank=True)
    balance = models.DecimalField(**MONEY, default=0)
    arrears_current = models.DecimalField(**MONEY, default=0)
    arrears_30 = models.DecimalField(**MONEY, default=0)
    arrears_60 = models.DecimalField(**MONEY, default=0)
    arrears_90 = models.DecimalField(**MONEY, default=0)
    arrears_120 = models.DecimalField(**MONEY, default=0, help_text="120 days and more.")
    due_date = models.DateField(null=True, blank=True)
    phone_on_record = models.CharField(max_length=16, blank=True, help_text="E.164")
    email_on_record = models.EmailField(blank=True)
    updated_at_source = models.DateTimeField(null=True, blank=True)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", help_text="The import that last changed it.")
    content_hash = models.CharField(max_length=32, editable=False,
                                    help_text="Of the fields above: an unchanged row is "
                                              "skipped by the next import.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality", "account_number"],
                                               name="unique_account_number")]
        # Revenue staff find an account by the start of its holder's name, in any case
        # (console/revenue_selectors.py): a range on the name in capitals.
        indexes = [models.Index(F("municipality"), Upper("holder_name"),
                                name="billing_account_holder")]

    def __str__(self) -> str:
        return self.account_number

    @property
    def arrears(self) -> dict:
        return {bucket: getattr(self, f"arrears_{bucket}") for bucket in ARREARS_BUCKETS}


class Statement(models.Model):
    municipality = _municipality(db_index=False, db_constraint=False)
    account = models.ForeignKey(UtilityAccount, on_delete=models.CASCADE,
                                related_name="statements", db_index=False)
    period = models.DateField(help_text="The first day of the month billed.")
    issued = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    opening_balance = models.DecimalField(**MONEY, default=0)
    closing_balance = models.DecimalField(**MONEY, default=0)
    total_due = models.DecimalField(**MONEY, default=0)
    content_hash = models.CharField(max_length=32, editable=False)

    class Meta:
        # Also the index of an account's statements, newest first.
        constraints = [models.UniqueConstraint(fields=["account", "period"],
                                               name="unique_statement_period")]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m}"


class StatementLine(models.Model):
    """Named by its statement and number, which stay the same when the billing system sends
    the statement again: its primary key is the one index of the largest table."""

    pk = models.CompositePrimaryKey("statement", "line")
    # The primary key's first column. Lines are written only with their statement, in its
    # transaction (the import), and deleted with it by Django: the database does not check
    # each of some six million lines again (that check was a sixth of an import's time).
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines",
                                  db_index=False, db_constraint=False)
    line = models.PositiveSmallIntegerField()
    municipality = _municipality(db_index=False, db_constraint=False)
    description = models.CharField(max_length=200)
    service = models.CharField(max_length=40, blank=True)
    amount = models.DecimalField(**MONEY)

    def __str__(self) -> str:
        return f"{self.line}. {self.description}"


class Transaction(models.Model):
    class Kind(models.TextChoices):
        PAYMENT = "payment", "Payment"
        CHARGE = "charge", "Charge"
        ADJUSTMENT = "adjustment", "Adjustment"

    municipality = _municipality(db_index=False, db_constraint=False)
    account = models.ForeignKey(UtilityAccount, on_delete=models.CASCADE,
                                related_name="transactions", db_index=False)
    reference = models.CharField(max_length=64, help_text="The billing system's own id.")
    date = models.DateField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    amount = models.DecimalField(**MONEY, help_text="Negative for money received.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "reference"],
                                               name="unique_transaction_reference")]

    def __str__(self) -> str:
        return self.reference


class LinkMethod(models.TextChoices):
    """How a resident proved control of an account."""

    ID_NUMBER = "id_number", "Holder's ID number"
    SMS = "sms", "PIN by SMS to the phone on record"
    EMAIL = "email", "PIN by e-mail to the address on record"


class AccountLink(MunicipalModel):
    """A resident who may see an account. The first to prove control is its holder; anyone
    proving control after that is a proxy, pending until the holder approves (``consented``
    stays empty until then). Unlinking keeps the row."""

    class Role(models.TextChoices):
        HOLDER = "holder", "Account holder"
        PROXY = "proxy", "Proxy, with the holder's consent"

    account = models.ForeignKey(UtilityAccount, on_delete=models.CASCADE, related_name="links")
    citizen = models.ForeignKey("accounts.Citizen", on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    method = models.CharField(max_length=10, choices=LinkMethod.choices)
    consented = models.DateTimeField(null=True, blank=True,
                                     help_text="When the holder agreed (their own link: when "
                                               "they made it).")
    approved_by = models.ForeignKey("accounts.Citizen", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    unlinked = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "citizen"],
                                    condition=Q(unlinked__isnull=True),
                                    name="one_live_link_per_resident"),
            models.UniqueConstraint(fields=["account"],
                                    condition=Q(role="holder", unlinked__isnull=True),
                                    name="one_live_holder_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} of {self.account_id}"

    @property
    def pending(self) -> bool:
        return self.consented is None and self.unlinked is None


class LinkAttempt(models.Model):
    """One try at proving control of an account, kept for the lockout."""

    municipality = _municipality(db_index=False)
    citizen = models.ForeignKey("accounts.Citizen", on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    account = models.ForeignKey(UtilityAccount, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+", db_index=False)
    account_number = models.CharField(max_length=32)
    method = models.CharField(max_length=10, choices=LinkMethod.choices)
    ok = models.BooleanField()
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["citizen", "-created"], name="billing_attempt_citizen"),
                   models.Index(fields=["account", "-created"], name="billing_attempt_account")]

    def __str__(self) -> str:
        return f"{'ok' if self.ok else 'wrong'} at {self.created:%H:%M}"


class LinkChallenge(models.Model):
    """A one-time PIN sent to the phone or e-mail address on an account's record. Only a
    keyed hash of the code is kept."""

    municipality = _municipality(db_index=False)
    account = models.ForeignKey(UtilityAccount, on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    citizen = models.ForeignKey("accounts.Citizen", on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    method = models.CharField(max_length=10, choices=LinkMethod.choices)
    code_hash = models.CharField(max_length=64)
    created = models.DateTimeField()
    expires = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["citizen", "account", "-created"],
                                name="billing_challenge_citizen"),
                   models.Index(fields=["account", "-created"], name="billing_challenge_account")]

    def __str__(self) -> str:
        return f"PIN by {self.method} at {self.created:%H:%M}"


from .arrangement_models import *  # noqa: E402,F401,F403  (arrangements, readings)
from .campaign_models import Campaign, CampaignReminder  # noqa: E402,F401  (campaigns)
from .payment_models import Payment, PaymentNotification  # noqa: E402,F401  (payments)
