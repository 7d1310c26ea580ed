"""A resident's matters in their export, and their erasure: the matters stay as the record
of what the councillor did, without the resident or their words; their support goes."""

from imbizo.accounts.services import citizen_erase, citizen_export
from imbizo.core.permissions import system_actor
from imbizo.matters.lifecycle import matter_answer, matter_close
from imbizo.matters.models import Matter, MatterUpdate, Support
from imbizo.matters.support import matter_support


def test_the_export_holds_what_they_raised_and_supported(raise_matter, people):
    mine = raise_matter("issue", text="Lights off in Sizwe")
    theirs = raise_matter("suggestion", who="thabo")
    matter_support(actor=people["nomsa"], matter=theirs)
    exported = citizen_export(actor=people["nomsa"], citizen=people["nomsa"].citizen)
    part = exported["matters"]
    assert [(m["reference"], m["text"]) for m in part["raised"]] == [
        (mine.reference, "Lights off in Sizwe")]
    assert [s["matter"] for s in part["supported"]] == [theirs.reference]


def test_erasure_keeps_the_matter_without_the_resident_or_their_words(raise_matter, people,
                                                                      staff):
    matter = raise_matter("suggestion", text="My address is 12 Oak Street")
    matter = matter_answer(actor=staff["councillor"], matter=matter, text="Noted.")
    matter_close(actor=people["nomsa"], matter=matter, note="Call me on 0821234567")
    other = raise_matter("suggestion", who="thabo")
    matter_support(actor=people["nomsa"], matter=other)
    citizen_erase(actor=system_actor("cli"), citizen=people["nomsa"].citizen)
    matter.refresh_from_db()
    assert (matter.citizen, matter.title, matter.text) == (None, "", "")
    assert matter.answer == "Noted." and matter.status == "closed"
    texts = list(MatterUpdate.objects.filter(matter=matter).values_list("text", flat=True))
    assert "Noted." in texts and not any("0821234567" in t for t in texts)
    assert not Support.objects.exists()
    assert Matter.objects.get(pk=other.pk).support_count == 1
