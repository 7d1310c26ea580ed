"""An alert is one SMS: the areas that do not fit after the first are left out, and the
first is kept even alone."""

from imbizo.notifications.loadshedding_texts import SMS_CHARS, _fit

HEAD, HINT = "Imbizo: load-shedding stage 4 from 09:00.", "Stop alerts: reply STOP LS."


def test_areas_that_do_not_fit_one_sms_are_left_out_but_the_first_stays():
    parts = [f"Area {n}: today 08:00-10:30, 16:00-18:30; tomorrow 00:00-02:30." for n in range(3)]
    body = _fit(HEAD, parts, HINT)
    assert body == f"{HEAD} {parts[0]} {HINT}" and len(body) <= SMS_CHARS
    lone = "Area with a very long name: " + "x" * 120  # over one SMS by itself
    assert _fit(HEAD, [lone, "B: today none."], HINT) == f"{HEAD} {lone} {HINT}"
    short = ["A: today none; tomorrow none.", "B: today none; tomorrow none."]
    assert _fit(HEAD, short, HINT) == f"{HEAD} {short[0]} {short[1]} {HINT}"
