"""Webhook subscriptions and their delivery log in the admin, scoped by membership.

Subscriptions are created and changed through the services; the secret is shown once,
on the page that answers the creation, and never again. The delivery log is read-only
and offers "Replay selected deliveries".
"""

import json

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from imbizo.audit.admin_scoping import ScopedAdmin, request_actor
from imbizo.core.errors import ImbizoError

from .events import WEBHOOK_EVENTS
from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from .services import (
    webhook_delivery_replay,
    webhook_subscription_create,
    webhook_subscription_update,
)
from .validation import webhook_events_check, webhook_url_check

PERMISSION = "webhook.manage"


class WebhookSubscriptionForm(forms.ModelForm):
    """The services' checks, shown as field errors that keep what was typed."""

    url = forms.URLField(max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(choices=[(e, e) for e in WEBHOOK_EVENTS],
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookSubscription
        fields = ["municipality", "url", "events", "description", "active"]

    def clean_url(self):
        return _field_check(webhook_url_check, self.cleaned_data["url"])

    def clean_events(self):
        return _field_check(webhook_events_check, self.cleaned_data["events"])


def _field_check(check, value):
    try:
        return check(value)
    except ImbizoError as exc:
        raise forms.ValidationError(exc.message) from None


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ScopedAdmin):
    form = WebhookSubscriptionForm
    view_permission = PERMISSION
    change_permission = PERMISSION
    list_display = ["__str__", "url", "municipality", "event_names", "active", "deliveries"]
    list_filter = ["active"]
    list_select_related = ["municipality"]
    search_fields = ["url", "description"]

    def get_fields(self, request, obj=None):
        if obj is None:  # a new subscription is active
            return ["municipality", "url", "events", "description"]
        return ["municipality", "url", "events", "description", "active", "created", "updated"]

    def get_readonly_fields(self, request, obj=None):
        return ["municipality", "created", "updated"] if obj else []

    @admin.display(description=_("events"))
    def event_names(self, obj):
        return ", ".join(obj.events)

    @admin.display(description=_("delivery log"))
    def deliveries(self, obj):
        url = reverse("admin:webhooks_webhookdelivery_changelist")
        return format_html('<a href="{}?subscription__id__exact={}">{}</a>', url, obj.pk,
                           _("deliveries"))

    def save_model(self, request, obj, form, change):
        actor, data = request_actor(request), form.cleaned_data
        if change:
            current = WebhookSubscription.objects.select_related("municipality").get(pk=obj.pk)
            webhook_subscription_update(actor=actor, subscription=current, url=data["url"],
                                        events=data["events"],
                                        description=data["description"],
                                        active=data["active"])
            return
        created = webhook_subscription_create(actor=actor, municipality=data["municipality"],
                                              url=data["url"], events=data["events"],
                                              description=data["description"])
        obj.pk, obj.uuid, obj.secret = created.pk, created.uuid, created.secret

    def response_add(self, request, obj, post_url_continue=None):
        """Show the new secret once, on this page only; it is not kept in any session."""
        context = {**self.admin_site.each_context(request), "opts": self.opts,
                   "title": _("Webhook secret"), "subscription": obj, "secret": obj.secret,
                   "change_url": reverse("admin:webhooks_webhooksubscription_change",
                                         args=[obj.pk])}
        response = TemplateResponse(
            request, "admin/webhooks/webhooksubscription/secret_once.html", context)
        response["Cache-Control"] = "no-store"
        return response


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "response_status", "duration_ms", "error",
                                "response_body"]

    def has_view_permission(self, request, obj=None):
        return request_actor(request).has(PERMISSION)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ScopedAdmin):
    view_permission = PERMISSION
    change_permission = ""  # the log is read-only; replaying goes through the action
    municipality_field = "subscription__municipality"
    list_display = ["created", "event", "event_id", "subscription", "status", "attempts",
                    "next_attempt_at", "delivered_at"]
    list_filter = ["status", "event"]
    list_select_related = ["subscription__municipality"]
    search_fields = ["event_id"]
    fields = ["subscription", "event", "event_id", "status", "attempts", "replays",
              "next_attempt_at", "created", "delivered_at", "body"]
    readonly_fields = fields
    inlines = [WebhookAttemptInline]
    actions = ["replay"]

    @admin.display(description=_("payload"))
    def body(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.data, indent=2, sort_keys=True))

    def has_replay_permission(self, request):
        return request_actor(request).has(PERMISSION)

    @admin.action(description=_("Replay selected deliveries"), permissions=["replay"])
    def replay(self, request, queryset):
        actor, replayed = request_actor(request), 0
        for delivery in queryset.select_related("subscription__municipality"):
            try:
                webhook_delivery_replay(actor=actor, delivery=delivery)
                replayed += 1
            except ImbizoError as exc:
                self.message_user(request, f"{delivery.event_id}: {exc.message}",
                                  messages.WARNING)
        if replayed:
            self.message_user(request, _("%(n)d deliveries will be sent again.")
                              % {"n": replayed}, messages.SUCCESS)
