"""The background task that sends webhook deliveries; retries are new, later runs."""

from django_tasks import task

from .services import webhook_delivery_attempt


@task()
def deliver_webhook(delivery_id: int) -> str:
    """One attempt of one delivery; returns its status, or "skipped" if nothing was due."""
    delivery = webhook_delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery else "skipped"
