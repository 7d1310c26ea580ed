"""Background work of the outbox, through the standard Django Tasks API."""

from django_tasks import task

from .services import message_send


@task()
def send_message(message_id: int) -> str | None:
    """One attempt at one message; a retry is enqueued by ``message_send`` itself."""
    message = message_send(message_id=message_id)
    return message.status if message else None
