"""The schedule arithmetic on its own: stages cumulative, slots past midnight, stage 0,
merging, the stage of each moment, and the three kinds of cycle."""

from datetime import date, timedelta

from imbizo.loadshedding.cycle import AreaCycle, Timeline, monthly_hours, outages

from .conftest import at


def area(days: dict, cycle: str = "monthly", cycle_days: int = 31, start=None) -> AreaCycle:
    return AreaCycle(pk=1, key="a", name="A", provider="eskom", municipality_id=None,
                     municipality_code="", cycle=cycle, cycle_days=cycle_days,
                     cycle_start=start, has_schedule=True,
                     days={day: tuple(slots) for day, slots in days.items()})


def timeline(*changes: tuple[str, int]) -> Timeline:
    return Timeline.of([(at(t), stage, False) for t, stage in changes])


def spans(found) -> list[tuple[str, str, int]]:
    return [(f"{o.start:%d %H:%M}", f"{o.end:%d %H:%M}", o.stage) for o in found]


# day 10: 06:00-08:30 from stage 1, 14:00-16:30 from stage 2, 22:00-00:30 from stage 3
TENTH = area({10: [(360, 510, 1), (840, 990, 2), (1320, 1470, 3)]})
DAY = (at("2026-03-10 00:00"), at("2026-03-12 00:00"))


def test_stages_are_cumulative():
    assert spans(outages(TENTH, timeline(("2026-03-01 00:00", 1)), *DAY)) == [
        ("10 06:00", "10 08:30", 1)]
    assert spans(outages(TENTH, timeline(("2026-03-01 00:00", 2)), *DAY)) == [
        ("10 06:00", "10 08:30", 2), ("10 14:00", "10 16:30", 2)]
    assert len(outages(TENTH, timeline(("2026-03-01 00:00", 8)), *DAY)) == 3


def test_a_slot_past_midnight_ends_the_next_day_and_is_found_from_that_day():
    found = outages(TENTH, timeline(("2026-03-01 00:00", 3)), *DAY)
    assert spans(found)[-1] == ("10 22:00", "11 00:30", 3)
    # Asked from the 11th only: the half hour after midnight is still shed.
    after = outages(TENTH, timeline(("2026-03-01 00:00", 3)), at("2026-03-11 00:00"),
                    at("2026-03-12 00:00"))
    assert spans(after) == [("11 00:00", "11 00:30", 3)]


def test_stage_zero_sheds_nothing():
    assert outages(TENTH, timeline(("2026-03-01 00:00", 0)), *DAY) == []
    assert outages(TENTH, timeline(), *DAY) == []  # before any change: nothing


def test_each_moment_has_the_stage_then_in_force():
    # Stage 1 until 07:00, then stage 0 until 15:00, then stage 2.
    found = outages(TENTH, timeline(("2026-03-01 00:00", 1), ("2026-03-10 07:00", 0),
                                    ("2026-03-10 15:00", 2)), *DAY)
    assert spans(found) == [("10 06:00", "10 07:00", 1), ("10 15:00", "10 16:30", 2)]


def test_touching_and_overlapping_slots_are_merged():
    # 06:00-08:30 and 08:00-10:30 overlap; 10:30-12:00 touches the second.
    day = area({10: [(360, 510, 1), (480, 630, 1), (630, 720, 1)]})
    assert spans(outages(day, timeline(("2026-03-01 00:00", 1)), *DAY)) == [
        ("10 06:00", "10 12:00", 1)]


def test_a_month_without_the_day_has_no_slot_that_day():
    thirty_first = area({31: [(0, 120, 1)]})
    april = outages(thirty_first, timeline(("2026-01-01 00:00", 1)), at("2026-04-01 00:00"),
                    at("2026-05-01 00:00"))
    may = outages(thirty_first, timeline(("2026-01-01 00:00", 1)), at("2026-05-01 00:00"),
                  at("2026-06-01 00:00"))
    assert april == [] and spans(may) == [("31 00:00", "31 02:00", 1)]


def test_a_weekly_cycle_counts_monday_as_day_one():
    mondays = area({1: [(720, 870, 1)]}, cycle="weekly", cycle_days=7)
    found = outages(mondays, timeline(("2026-01-01 00:00", 1)), at("2026-03-09 00:00"),
                    at("2026-03-16 00:00"))
    assert [o.start.date() for o in found] == [date(2026, 3, 9)]  # a Monday
    assert found[0].start.isoweekday() == 1


def test_a_periodic_cycle_counts_days_from_its_start():
    # A 3-day cycle from 2026-03-01: day 2 is 2 March, 5 March, 8 March ...
    second = area({2: [(60, 120, 1)]}, cycle="periodic", cycle_days=3, start=date(2026, 3, 1))
    found = outages(second, timeline(("2026-01-01 00:00", 1)), at("2026-03-01 00:00"),
                    at("2026-03-09 00:00"))
    assert [o.start.day for o in found] == [2, 5, 8]
    before = outages(second, timeline(("2026-01-01 00:00", 1)), at("2026-02-27 00:00"),
                     at("2026-02-28 00:00"))
    assert [o.start.day for o in before] == [27]  # 27 Feb is 2 days before day 1: day 2


def test_hours_are_counted_in_the_month_they_fall_in():
    # 31 March 22:00 to 1 April 00:30: two hours in March, half an hour in April.
    last = area({31: [(1320, 1470, 1)]})
    found = outages(last, timeline(("2026-01-01 00:00", 1)), at("2026-03-01 00:00"),
                    at("2026-05-01 00:00"))
    assert monthly_hours(found) == {(2026, 3): 2.0, (2026, 4): 0.5}
    assert found[0].end - found[0].start == timedelta(hours=2, minutes=30)
