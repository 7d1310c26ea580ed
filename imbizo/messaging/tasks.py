"""Background work of the outbox, through the standard Django Tasks API."""

from django_tasks import task

from .services import message_send, messages_send


@task()
def send_message(message_id: int) -> str | None:
    """One attempt at one message; a retry is enqueued by ``message_send`` itself."""
    message = message_send(message_id=message_id)
    return message.status if message else None


@task()
def send_messages(message_ids: list[int]) -> int:
    """One attempt at each message of a batch (a fan-out's, or those a rate limit held
    back): one task and one read for many messages. Returns how many it looked at."""
    return len(messages_send(message_ids=message_ids))
