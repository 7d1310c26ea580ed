"""Conversations: where each resident is in a flow, flows a municipality rewrote, and
residents waiting for a person."""

from django.conf import settings
from django.db import models

from imbizo.accounts.models import Channel, Citizen
from imbizo.core.models import TimeStampedModel


class ConversationSession(models.Model):
    """One resident's conversation on one channel: the flow and node they are at, what
    they answered so far, and the last screen they were shown (a gateway that repeats a
    USSD hop gets it again and nothing acts twice). One row per channel and address,
    reused by every later conversation, so a hop reads and writes one indexed row.
    ``version`` counts the saves: a USSD hop writes its row back only if no other request
    for the same resident saved it meanwhile (sessions.session_save)."""

    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"  # the USSD gateway closed it mid-flow: resumable

    channel = models.CharField(max_length=10, choices=Channel.choices)
    sender = models.CharField(max_length=64, help_text="E.164 phone or the provider's user id.")
    citizen = models.ForeignKey(Citizen, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="conversations")
    flow = models.CharField(max_length=40)
    node = models.CharField(max_length=40)
    answers = models.JSONField(default=dict, blank=True)
    page = models.PositiveSmallIntegerField(default=0)
    language = models.CharField(max_length=8, default="en")
    gateway_session_id = models.CharField(max_length=100, blank=True)
    last_cumulative = models.CharField(max_length=500, blank=True)
    last_screen = models.JSONField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField()
    version = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "sender"], name="conversation_per_address"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} conversation {self.pk} at {self.flow}.{self.node}"


class FlowOverride(TimeStampedModel):
    """A municipality's own version of a shipped flow (same id), in the same YAML."""

    municipality = models.ForeignKey("geo.Municipality", on_delete=models.PROTECT,
                                     related_name="+")
    flow_id = models.CharField(max_length=40)
    definition = models.TextField(help_text="The flow in YAML, as in conversations/flows/.")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "flow_id"],
                                    name="unique_flow_override"),
        ]

    def __str__(self) -> str:
        return f"{self.flow_id} ({self.municipality_id})"


class Handover(TimeStampedModel):
    """A resident who asked to talk to a person, waiting in their municipality's queue."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        TAKEN = "taken", "Taken"
        CLOSED = "closed", "Closed"

    citizen = models.ForeignKey(Citizen, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="handovers")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=64)
    session = models.ForeignKey(ConversationSession, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="handovers")
    municipality = models.ForeignKey("geo.Municipality", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="handovers_taken",
                              help_text="The staff member who took the conversation.")

    class Meta:
        indexes = [
            # An agent's queue: the oldest waiting residents of a municipality.
            models.Index(fields=["municipality", "state", "created"], name="handover_queue"),
        ]

    def __str__(self) -> str:
        return f"handover {self.pk} ({self.state})"


class HandoverMessage(models.Model):
    """One line of a hand-over's transcript: what the resident sent while an agent held
    the conversation (``in``), and what the agent answered (``out``)."""

    class Direction(models.TextChoices):
        IN = "in", "From the resident"
        OUT = "out", "From the agent"

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    text = models.TextField()
    author = models.CharField(max_length=120, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["handover", "id"]

    def __str__(self) -> str:
        return f"{self.handover_id} {self.direction}: {self.text[:30]}"
