"""A USSD resident logs a fault in at most seven screens, and a dropped session resumes."""

from datetime import timedelta

from imbizo.cases.models import Case
from imbizo.conversations.models import ConversationSession

from .conftest import choice_key


def log_fault(phone) -> list:
    phone.dial()
    phone.send(choice_key(phone.screens[-1], "Report a fault"))
    phone.send(choice_key(phone.screens[-1], "Water"))
    phone.send(choice_key(phone.screens[-1], "Burst"))
    phone.send(choice_key(phone.screens[-1], "KwaMashu"))
    phone.send("Water pouring into the street")
    phone.send(choice_key(phone.screens[-1], "Yes"))
    return phone.screens


def test_a_resident_logs_a_fault_in_seven_screens(citizen, phone):
    screens = log_fault(phone)
    assert len(screens) <= 7
    assert all(len(s.text) <= 182 for s in screens)
    assert "Ward 1 (KwaMashu)" in screens[-2].text  # the place read back before confirming
    case = Case.objects.get()
    assert screens[-1].end and case.reference in screens[-1].text
    assert case.reporter == citizen and case.channel == "ussd"
    assert case.ward.number == 1 and case.category.code == "burst-pipe"
    assert case.address == "KwaMashu"


def test_every_screen_fits_a_ussd_screen(citizen, phone):
    from imbizo.messaging.screens import numbered_text
    for screen in log_fault(phone):
        assert len(numbered_text(screen)) <= 182


def test_a_repeated_hop_returns_the_same_screen_and_logs_once(citizen, phone):
    log_fault(phone)
    again = phone.repeat()
    assert again == phone.screens[-2]
    assert Case.objects.count() == 1


def test_a_dropped_session_is_offered_on_the_next_dial(citizen, phone):
    phone.dial()
    phone.send(choice_key(phone.screens[-1], "Report a fault"))
    phone.send(choice_key(phone.screens[-1], "Water"))
    phone.drop()
    assert ConversationSession.objects.get().state == "dropped"
    offer = phone.dial()
    assert [c.label for c in offer.choices] == ["Continue", "Start again"]
    resumed = phone.send("1")
    assert "Burst" in " ".join(c.label for c in resumed.choices)  # where they were


def test_after_the_window_the_resident_is_told_it_timed_out(citizen, phone):
    phone.dial()
    phone.send(choice_key(phone.screens[-1], "Report a fault"))
    ConversationSession.objects.update(updated=ConversationSession.objects.get().updated
                                       - timedelta(minutes=11))
    screen = phone.dial()
    assert "timed out" in screen.text
    assert choice_key(screen, "Report a fault")


def test_an_unknown_option_shows_the_menu_again_with_a_hint(citizen, phone):
    menu = phone.dial()
    again = phone.send("9")  # the main menu has eight options
    # the hint takes room, so the last option may move behind "More"
    assert again.choices[:7] == menu.choices[:7]
    assert "Please choose" in again.text


def test_a_hop_runs_a_handful_of_queries(citizen, phone, settings,
                                         django_assert_max_num_queries):
    phone.dial()
    phone.send(choice_key(phone.screens[-1], "Report a fault"))
    settings.CONFIG_CHECK_SECONDS = 60  # as a server trusts its memo of the categories
    with django_assert_max_num_queries(2):  # the session read, and written back
        phone.send(choice_key(phone.screens[-1], "Water"))
    with django_assert_max_num_queries(3):  # and the suburbs, read once into the memo
        phone.send(choice_key(phone.screens[-1], "Burst"))
    with django_assert_max_num_queries(2):
        phone.send(choice_key(phone.screens[-1], "KwaMashu"))


def test_a_hop_sent_again_while_the_first_still_runs_logs_one_case(citizen, phone):
    """The gateway repeats the confirming hop before the first copy has answered, so the
    second copy reads the session still at "confirm": it logs nothing more (the case is
    keyed to the gateway's session) and answers with the same reference."""
    log_fault(phone)
    first = phone.screens[-1]
    session = ConversationSession.objects.get()
    ConversationSession.objects.filter(pk=session.pk).update(
        node="confirm", last_cumulative="", version=session.version + 1)
    again = phone.repeat()
    assert Case.objects.count() == 1
    assert again.text == first.text and again.end


def test_a_session_is_written_back_only_if_no_other_request_saved_it(citizen, phone):
    from imbizo.conversations.sessions import session_current, session_save

    phone.dial()
    mine = session_current("ussd", phone.phone)
    theirs = session_current("ussd", phone.phone)
    theirs.node = "theirs"
    assert session_save(theirs)
    mine.node = "mine"
    assert not session_save(mine)
    assert ConversationSession.objects.get().node == "theirs"


def test_a_new_resident_served_by_one_municipality_is_registered_with_it_at_once(place,
                                                                                 phone):
    """Their first report registers them with their home: one write, one audit entry."""
    from imbizo.accounts.models import Citizen
    from imbizo.audit.models import AuditEntry
    from imbizo.geo.models import Municipality

    Municipality.objects.filter(pk=place[1].pk).update(category="C", district=None)  # AAA alone
    phone.dial()
    phone.send(choice_key(phone.screens[-1], "Report a fault"))
    resident = Citizen.objects.get()
    assert resident.municipality == place[0]
    [entry] = AuditEntry.objects.filter(object_type="accounts.citizen")
    assert entry.action == "citizen.register" and "municipality" in entry.changes["fields"]
