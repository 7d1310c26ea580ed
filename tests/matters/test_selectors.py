"""Who reads which matters: a resident their own, a councillor their wards', a manager the
municipality's; the lists are bounded and cost a fixed number of queries."""

import dataclasses

import pytest

from imbizo.core.errors import ImbizoError
from imbizo.matters.lifecycle import matter_acknowledge, matter_close
from imbizo.matters.reference import matter_reference_format, matter_reference_parse
from imbizo.matters.selectors import (
    QueueFilters,
    access_matter,
    matter_list,
    matter_queue,
    matters_mine,
    ward_public_matters,
)
from imbizo.matters.tasks import matter_ack_check


def test_each_actor_sees_only_the_matters_they_may(raise_matter, staff, people):
    ward1, ward2 = raise_matter(), raise_matter(who="pieter", ward="2")
    theirs = raise_matter(who="thabo")
    seen = {name: set(matter_list(actor=actor).values_list("reference", flat=True))
            for name, actor in {**staff, **people}.items()}
    assert seen["councillor"] == {ward1.reference, theirs.reference}
    assert seen["councillor2"] == {ward2.reference}
    assert seen["manager"] == {ward1.reference, ward2.reference, theirs.reference}
    assert seen["agent"] == seen["bbb_councillor"] == set()
    assert seen["nomsa"] == {ward1.reference} and seen["pieter"] == {ward2.reference}
    with pytest.raises(ImbizoError) as hidden:
        access_matter(people["nomsa"], theirs.reference)
    assert hidden.value.status == 404


def test_the_queue_puts_overdue_first_and_filters(raise_matter, staff, people,
                                                  django_assert_max_num_queries):
    answered_ = matter_acknowledge(actor=staff["councillor"], matter=raise_matter())
    late = raise_matter("suggestion")
    matter_ack_check.call(late.pk, late.ack_due.isoformat())
    closed = matter_close(actor=people["nomsa"], matter=raise_matter())
    fresh = raise_matter()
    councillor = staff["councillor"]
    with django_assert_max_num_queries(2):
        page = matter_queue(actor=councillor, filters=QueueFilters())
        rows = list(page)
    assert [m.reference for m in rows] == [late.reference, answered_.reference,
                                           fresh.reference]
    assert rows[0].overdue and not rows[1].overdue
    assert [m.reference for m in matter_queue(actor=councillor,
                                              filters=QueueFilters(status="closed"))] == [
        closed.reference]
    assert len(matter_queue(actor=councillor, filters=QueueFilters(status="all"))) == 4
    assert [m.reference for m in matter_queue(
        actor=councillor, filters=QueueFilters(kind="suggestion"))] == [late.reference]
    assert len(matter_queue(actor=councillor, filters=QueueFilters(status="bogus"))) == 3


def test_a_residents_own_list_is_bounded_and_one_query(raise_matter, people,
                                                       django_assert_num_queries):
    for n in range(3):
        raise_matter(text=f"Matter {n}")
    with django_assert_num_queries(1):
        mine = matters_mine(actor=people["nomsa"])
        assert [m.ward.number for m in mine] == [1, 1, 1]
    assert matters_mine(actor=people["thabo"]) == []


def test_the_public_list_carries_no_field_that_names_a_resident(raise_matter, wards):
    raise_matter("suggestion")
    page = ward_public_matters(ward=wards["1"])
    fields = {f.name for f in dataclasses.fields(page.items[0])}
    assert not fields & {"citizen", "citizen_id", "phone", "name", "channel", "raised_via"}


@pytest.mark.parametrize("typed", ["aaa-m2607-042-5", "AAA M2607 042 5", "AAAM26070425"])
def test_a_reference_is_read_however_it_is_typed(typed):
    assert matter_reference_format("AAA", "2607", 42) == "AAA-M2607-042-5"
    assert matter_reference_parse(typed) == "AAA-M2607-042-5"


@pytest.mark.parametrize("typed", ["AAA-M2607-042-6", "AAA-2607-0042-5", "hello"])
def test_a_mistyped_reference_is_refused(typed):
    with pytest.raises(ImbizoError) as refused:
        matter_reference_parse(typed)
    assert refused.value.code == "invalid_reference"
