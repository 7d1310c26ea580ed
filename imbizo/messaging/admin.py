"""The outbox in the admin: read-only, scoped like every selector (``citizen.view``)."""

from django.contrib import admin

from imbizo.audit.admin_scoping import ScopedAdmin

from .models import OutboundMessage


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ScopedAdmin):
    view_permission = "citizen.view"  # bodies and numbers are personal data
    change_permission = ""  # the outbox is written only by its services
    ward_field = "citizen__ward"
    list_display = ["created", "channel", "purpose", "status", "provider", "attempts",
                    "municipality"]
    list_filter = ["status", "channel", "provider", "purpose"]
    list_select_related = ["municipality"]
    search_fields = ["=to", "=provider_message_id", "=dedupe_key"]
    ordering = ["-created"]
    show_full_result_count = False
    fields = ["uuid", "municipality", "citizen", "channel", "to", "language", "purpose", "body",
              "status", "provider", "provider_message_id", "attempts", "next_attempt_at",
              "last_error", "dedupe_key", "created", "sent_at", "delivered_at"]
    readonly_fields = fields
