from django_tasks import task

from .services import inbound_handle


@task()
def handle_inbound(inbound_id: int) -> None:
    """Answer one stored message from a resident (conversations.services.inbound_handle)."""
    inbound_handle(inbound_id=inbound_id)
