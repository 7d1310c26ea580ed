from django_tasks import task

from .services import inbound_handle


@task()
def handle_inbound(inbound_ids: list[int]) -> None:
    """Answer stored messages, in order (conversations.services.inbound_handle); the pump
    (conversations/pump.py) hands them out."""
    for inbound_id in inbound_ids:
        inbound_handle(inbound_id=inbound_id)
