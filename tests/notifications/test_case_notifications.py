
from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_erase, citizen_register
from imbizo.cases.duplicates import case_join
from imbizo.cases.lifecycle import case_close, case_comment, case_hold, case_resolve, case_start
from imbizo.cases.models import CaseUpdate
from imbizo.cases.services import Contact, Location, case_log
from imbizo.core.permissions import system_actor
from imbizo.messaging.models import OutboundMessage
from imbizo.notifications.cases import notify_followers


def bodies(to: str | None = None) -> list[str]:
    messages = OutboundMessage.objects.order_by("pk")
    if to:
        messages = messages.filter(to=to)
    return list(messages.values_list("body", flat=True))


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
    assert messages[1] == (f"Imbizo {case.reference}: In progress. "
                           "We have started work on it: Crew on the way.")
    assert messages[2] == f"Imbizo {case.reference}: Fixed by noon tomorrow"
    assert not any("Crew B" in body for body in messages)
    assert set(OutboundMessage.objects.values_list("to", flat=True)) == {"+27821234567"}
    assert all(len(body) <= 160 for body in messages)


def test_a_change_without_a_note_is_told_in_a_sentence_of_its_own(log_case):
    case = log_case()
    case = case_start(actor=system_actor("web"), case=case)
    update = case.updates.get(to_status="in_progress")
    notify_followers.call(case.pk, update.pk, "status")
    assert bodies() == [f"Imbizo {case.reference}: In progress. We have started work on it."]


def test_the_message_names_the_status_of_its_change_not_the_case_s_latest(log_case):
    system = system_actor("web")
    case = case_start(actor=system, case=log_case(), note="Crew on the way")
    case = case_hold(actor=system, case=case, reason="Waiting for a valve")
    started = case.updates.get(to_status="in_progress")
    notify_followers.call(case.pk, started.pk, "status")
    assert "In progress" in bodies()[0] and "hold" not in bodies()[0]


def test_the_resolution_says_when_it_closes_and_how_to_say_it_is_not_fixed(
        log_case, resident, settings):
    settings.CASE_AUTOCLOSE_DAYS, settings.SITE_URL = 5, "https://imbizo.example.gov.za"
    neighbour = citizen_register(actor=system_actor("sms"), phone="0724445555")
    system = system_actor("web")
    case = case_join(actor=citizen_actor(neighbour, channel="sms"), case=log_case())
    case = case_resolve(actor=system, case=case_start(actor=system, case=case),
                        note="Patched the hole")
    notify_followers.call(case.pk, case.updates.get(to_status="resolved").pk, "status")
    reporters, = bodies(to=resident.citizen.phone)
    assert reporters.startswith(f"Imbizo {case.reference}: Resolved. "
                                "It has been fixed: Patched the hole. It closes in 5 days "
                                "unless you tell us it is not fixed: "
                                "https://imbizo.example.gov.za/r/")
    # Only the reporter may reopen it: a follower is told, without a link.
    neighbours, = bodies(to=neighbour.phone)
    assert "https://" not in neighbours and "It closes in 5 days unless the person who " \
        "reported it says it is not fixed." in neighbours


def test_the_closing_invites_the_reporter_to_rate_it_on_a_page_that_works(
        log_case, resident, client):
    system = system_actor("web")
    case = case_start(actor=system, case=log_case())
    case = case_close(actor=system, case=case_resolve(actor=system, case=case, note="Done"))
    notify_followers.call(case.pk, case.updates.get(to_status="closed").pk, "status")
    body, = bodies()
    assert body.startswith(f"Imbizo {case.reference}: Closed. It is closed. Thank you for "
                           "reporting it. How did we do? Rate it from 1 to 5: "
                           "http://127.0.0.1:8000/r/")
    link = body.rsplit(" ", 1)[1]
    page = client.get(link.removeprefix("http://127.0.0.1:8000"))
    assert page.status_code == 200 and 'name="rating"' in page.text


def test_a_comment_whose_words_were_erased_is_not_sent(log_case, resident):
    case = log_case()
    neighbour = citizen_register(actor=system_actor("sms"), phone="0724445555")
    case = case_join(actor=citizen_actor(neighbour, channel="sms"), case=case)
    comment = case_comment(actor=resident, case=case, text="It is getting bigger", public=True)
    citizen_erase(actor=resident, citizen=resident.citizen)
    assert CaseUpdate.objects.get(pk=comment.pk).text == ""
    assert notify_followers.call(case.pk, comment.pk, "comment") == 0
    assert not OutboundMessage.objects.exists()


def test_an_internal_note_is_never_sent_even_if_asked(log_case):
    case = log_case()
    note = case_comment(actor=system_actor("web"), case=case, text="Crew B", public=False)
    assert notify_followers.call(case.pk, note.pk, "comment") == 0


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


def test_a_resident_who_is_both_follower_and_the_number_left_hears_once(municipalities):
    case = case_log(actor=system_actor("web"), category="illegal-dumping", description="Rubble",
                    location=Location(latitude=-29.95, longitude=20.15),
                    contact=Contact(phone="083 555 1234"))
    owner = citizen_register(actor=system_actor("sms"), phone="0835551234")
    case_join(actor=citizen_actor(owner, channel="sms"), case=case)
    assert notify_followers.call(case.pk, None, "logged") == 1


def test_each_rung_of_the_ladder_e_mails_its_people_even_the_same_person(
        log_case, make_staff, municipalities, department, run_worker):
    """One person holding two rungs (supervisor and manager of roads) hears of both."""
    from django_tasks_db.models import DBTaskResult

    from imbizo.accounts.models import Role
    from imbizo.cases.escalation import sla_checkpoint_run, sla_escalate_run

    aaa, _ = municipalities
    boss = make_staff({"role": Role.SUPERVISOR, "municipality": aaa,
                       "department": department("roads")},
                      {"role": Role.MANAGER, "municipality": aaa,
                       "department": department("roads")})
    boss.user.email = "roads.boss@aaa.example"
    boss.user.save(update_fields=["email"])
    case = log_case("pothole")
    assert sla_checkpoint_run(case_id=case.pk, kind="breach", due=case.resolve_due) == \
        "escalated to level 1"
    assert sla_escalate_run(case_id=case.pk, level=2, due=case.resolve_due) == \
        "escalated to level 2"
    DBTaskResult.objects.filter(task_path__contains="sla_").delete()
    run_worker()
    run_worker()  # a second pass finds nothing more to send
    emails = OutboundMessage.objects.filter(channel="email", to="roads.boss@aaa.example")
    assert emails.count() == 2
