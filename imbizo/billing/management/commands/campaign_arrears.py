"""imbizo campaign-arrears: remind the residents linked to accounts in arrears, by the age
of the oldest arrears (docs/billing.md, "Debt recovery campaigns")."""

from django.core.management.base import BaseCommand, CommandError

from imbizo.billing.campaign_models import Campaign
from imbizo.billing.campaigns import campaign_create, campaign_preview, campaign_start
from imbizo.billing.money import rands
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Municipality


class Command(BaseCommand):
    help = ("Start a debt-recovery campaign: a reminder with a pay link and an offer to "
            "arrange to pay, to the residents linked to each account whose oldest arrears "
            "are in the given buckets, who consented to billing messages and have not opted "
            "out. Sent by the task worker, outside the quiet hours (20:00-07:00).")

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="its code")
        parser.add_argument("--buckets", required=True,
                            help="days overdue, comma-separated: some of 30,60,90,120")
        parser.add_argument("--min-arrears", default="0",
                            help="only accounts with at least this in arrears (rand)")
        parser.add_argument("--kind", default=Campaign.Kind.PAY_OR_ARRANGE,
                            choices=Campaign.Kind.values, help="what the message says")
        parser.add_argument("--window-days", default=30, type=int,
                            help="payments and arrangements this many days after a reminder "
                                 "count as recovered by it (default 30)")
        parser.add_argument("--dry-run", action="store_true",
                            help="say who would be reminded; create and send nothing")

    def handle(self, *args, **opts):
        municipality = Municipality.objects.defer("boundary").filter(
            code=opts["municipality"]).first()
        if municipality is None:
            raise CommandError(f"No municipality {opts['municipality']!r}.")
        actor = system_actor("cli")
        try:
            rows = campaign_preview(actor=actor, municipality=municipality,
                                    buckets=opts["buckets"], min_arrears=opts["min_arrears"])
            for row in rows:
                self.stdout.write(f"{row.bucket:>3}+ days: {row.accounts} account(s), "
                                  f"{rands(row.arrears)} in arrears, {row.residents} linked "
                                  f"resident(s), {row.consenting} consenting to billing "
                                  "messages")
            if opts["dry_run"]:
                self.stdout.write("Dry run: nothing created or sent.")
                return
            campaign = campaign_create(actor=actor, municipality=municipality,
                                       buckets=opts["buckets"], min_arrears=opts["min_arrears"],
                                       kind=opts["kind"], window_days=opts["window_days"])
            campaign_start(actor=actor, campaign=campaign)
        except ImbizoError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Campaign {campaign.pk} started: the task worker sends it "
                          "(imbizo worker, or imbizo serve).")
