from imbizo.cases.lifecycle import case_comment, case_start
from imbizo.notifications.cases import notify_followers
from imbizo.cases.services import Contact, Location, case_log
from imbizo.core.permissions import system_actor
from imbizo.messaging.models import OutboundMessage


def bodies() -> list[str]:
    return list(OutboundMessage.objects.order_by("pk").values_list("body", flat=True))


def test_the_reporter_hears_at_once_and_at_every_public_change(log_case, resident, run_worker):
    system = system_actor("web")
    case = log_case()
    run_worker()
    case = case_start(actor=system, case=case, note="Crew on the way")
    case_comment(actor=system, case=case, text="Crew B is tomorrow", public=False)
    case_comment(actor=system, case=case, text="Fixed by noon tomorrow", public=True)
    run_worker()
    messages = bodies()
    assert len(messages) == 3
    assert messages[0].startswith(f"Imbizo: we received your report {case.reference}")
    assert messages[1] == f"Imbizo {case.reference}: In progress. Crew on the way"
    assert messages[2] == f"Imbizo {case.reference}: Fixed by noon tomorrow"
    assert not any("Crew B" in body for body in messages)
    assert set(OutboundMessage.objects.values_list("to", flat=True)) == {"+27821234567"}
    assert all(len(body) <= 160 for body in messages)


def test_running_a_notification_twice_sends_nothing_twice(log_case):
    case = log_case()
    notify_followers.call(case.pk, None, "logged")
    notify_followers.call(case.pk, None, "logged")
    assert OutboundMessage.objects.count() == 1


def test_an_anonymous_reporter_with_a_number_is_told_too(municipalities):
    case = case_log(actor=system_actor("web"), category="illegal-dumping", description="Rubble",
                    location=Location(latitude=-29.95, longitude=20.15),
                    contact=Contact(phone="083 555 1234"))
    assert notify_followers.call(case.pk, None, "logged") == 1
    message = OutboundMessage.objects.get()
    assert message.to == "+27835551234" and case.reference in message.body
