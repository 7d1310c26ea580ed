"""The outbox and the inbox in the admin: read-only, scoped like every selector
(``citizen.view``).

Staff see whom a message went to (masked: a list shows many people's numbers), its words,
status and channel, and what it is about. What a message is about is named by the app
that sent it: ``SUBJECTS`` maps the first part of a dedupe key (``case:<uuid>:...``) to a
function naming a page of them in one query; ``notifications`` registers cases, since
messaging does not know them.
"""

from collections import defaultdict
from collections.abc import Callable

import phonenumbers
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from imbizo.audit.admin_scoping import ScopedAdmin, request_actor
from imbizo.core.permissions import Actor

from .models import InboundMessage, OutboundMessage
from .selectors import inbound_list, message_list

# prefix -> (actor, ids) -> {id: html}; ids the actor may not see are left out.
SUBJECTS: dict[str, Callable[[Actor, list[str]], dict[str, str]]] = {}


def recipient_mask(to: str) -> str:
    """``+27 82 *** 4567`` for a number, ``t***@example.org`` for an address."""
    if not to:
        return "-"
    if "@" in to:
        local, _at, domain = to.partition("@")
        return f"{local[:1]}***@{domain}"
    try:
        number = phonenumbers.parse(to, None)
    except phonenumbers.NumberParseException:
        return f"{to[:3]}***"
    national = str(number.national_number)
    return f"+{number.country_code} {national[:2]} *** {national[-4:]}"


def _subject_key(message: OutboundMessage) -> tuple[str, str]:
    prefix, _sep, rest = (message.dedupe_key or "").partition(":")
    return prefix, rest.split(":", 1)[0]


def subjects_attach(actor: Actor, messages) -> None:
    """Set ``subject`` on each message: one query per kind of subject on the page."""
    wanted = defaultdict(set)
    for message in messages:
        prefix, ident = _subject_key(message)
        if prefix in SUBJECTS:
            wanted[prefix].add(ident)
    named = {prefix: SUBJECTS[prefix](actor, sorted(ids)) for prefix, ids in wanted.items()}
    for message in messages:
        prefix, ident = _subject_key(message)
        message.subject = named.get(prefix, {}).get(ident, "-")


class OutboxChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        subjects_attach(request_actor(request), self.result_list)


class MessageAdmin(ScopedAdmin):
    """What both directions of messages share: read-only, seen by whoever may see the
    resident, who is linked rather than shown."""

    view_permission = "citizen.view"  # bodies and numbers are personal data
    change_permission = ""  # messages are written only by their services
    ordering = ["-created"]
    show_full_result_count = False

    @admin.display(description=_("resident"))
    def resident(self, message):
        if not message.citizen_id:
            return "-"
        url = reverse("admin:accounts_citizen_change", args=[message.citizen_id])
        return format_html('<a href="{}">{}</a>', url, _("their record"))


@admin.register(OutboundMessage)
class OutboundMessageAdmin(MessageAdmin):
    list_display = ["created", "recipient", "text", "about", "status", "channel"]
    list_filter = ["status", "channel", "provider", "purpose"]
    search_fields = ["=to", "=provider_message_id", "=dedupe_key"]  # whole values only
    fields = ["uuid", "municipality", "resident", "channel", "recipient", "language", "purpose",
              "body", "about", "status", "provider", "provider_message_id", "attempts",
              "next_attempt_at", "last_error", "dedupe_key", "created", "sent_at",
              "delivered_at", "fallback_of", "fallback_message"]
    readonly_fields = fields

    def get_queryset(self, request):
        return message_list(actor=request_actor(request))

    def get_changelist(self, request, **kwargs):
        return OutboxChangeList

    @admin.display(description=_("recipient"))
    def recipient(self, message):
        return recipient_mask(message.to)

    @admin.display(description=_("text"))
    def text(self, message):
        return Truncator(message.body).chars(120)

    @admin.display(description=_("about"))
    def about(self, message):
        return message.subject


    @admin.display(description=_("sent again as"))
    def fallback_message(self, message):
        """The message that carried this one on the resident's next channel."""
        fallback = OutboundMessage.objects.filter(fallback_of=message).first()
        if fallback is None:
            return "-"
        url = reverse("admin:messaging_outboundmessage_change", args=[fallback.pk])
        return format_html('<a href="{}">{}</a>', url, fallback)

    def get_object(self, request, object_id, from_field=None):
        message = super().get_object(request, object_id, from_field)
        if message is not None:
            subjects_attach(request_actor(request), [message])
        return message


@admin.register(InboundMessage)
class InboundMessageAdmin(MessageAdmin):
    """What residents sent (a message from no known resident yet is seen only by
    platform-wide roles)."""

    municipality_field = "citizen__municipality"
    ward_field = "citizen__ward"
    list_display = ["created", "sender_masked", "channel", "kind", "text", "state"]
    list_filter = ["state", "channel", "provider"]
    search_fields = ["=sender", "=provider_message_id"]  # whole values only
    fields = ["created", "resident", "channel", "provider", "provider_message_id",
              "sender_masked", "kind", "text", "state", "attempts", "next_attempt_at",
              "last_error", "handled_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return inbound_list(actor=request_actor(request))

    @admin.display(description=_("sender"))
    def sender_masked(self, message):
        return recipient_mask(message.sender)

    @admin.display(description=_("kind"))
    def kind(self, message):
        return message.payload.get("kind", "-")

    @admin.display(description=_("text"))
    def text(self, message):
        return Truncator(message.payload.get("text", "")).chars(120) or "-"

