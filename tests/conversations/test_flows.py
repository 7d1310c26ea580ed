"""Flows are checked when loaded; a municipality overrides one through a service."""

import pytest

from imbizo.conversations.engine import flow_get
from imbizo.conversations.flowdefs import FlowError, flow_parse, shipped_flows
from imbizo.conversations.models import FlowOverride
from imbizo.conversations.overrides import flow_override_save
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.permissions import Role

from .conftest import choice_key

IDS = frozenset(shipped_flows())


def test_the_shipped_flows_load():
    assert {"main", "log_fault", "track", "rate", "language", "help", "talk"} <= IDS


@pytest.mark.parametrize(("yaml", "message"), [
    ("id: help\nstart: a\nnodes:\n  a: {type: dance, text: help}",
     "flow help, node a: unknown node type 'dance'"),
    ("id: help\nstart: a\nnodes:\n  a: {type: action, action: help_numbers, next: nowhere}",
     "flow help, node a: next 'nowhere' is no node"),
    ("id: help\nstart: a\nnodes:\n  a: {type: end, text: no_such_key}",
     "flow help, node a: unknown text key 'no_such_key'"),
    ("id: help\nstart: a\nnodes:\n  a: {type: action, action: launch, next: a}",
     "flow help, node a: unknown action 'launch'"),
    ("id: help\nstart: b\nnodes:\n  a: {type: end, text: help}", "start 'b' is no node"),
])
def test_a_wrong_flow_is_refused_naming_the_flow_and_node(yaml, message):
    with pytest.raises(FlowError, match=message):
        flow_parse(yaml, flow_ids=IDS)


OWN_HELP = """
id: help
start: numbers
nodes:
  numbers: {type: action, action: help_numbers, next: show}
  show: {type: end, text: "Aaa Local: call 0800 123 456. Police 10111."}
"""


def test_a_municipality_overrides_a_flow_in_its_own_words(place, make_staff, phone, citizen):
    aaa = place[0]
    admin = make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": aaa})
    flow_override_save(actor=admin, municipality=aaa, flow_id="help", definition=OWN_HELP)
    assert flow_get("help", aaa.pk).nodes["show"].text.startswith("Aaa Local")
    menu = phone.dial()
    assert "0800 123 456" in phone.send(choice_key(menu, "Help")).text


def test_an_override_that_does_not_check_out_is_refused_keeping_nothing(place, make_staff):
    aaa = place[0]
    admin = make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": aaa})
    with pytest.raises(ImbizoError) as refused:
        flow_override_save(actor=admin, municipality=aaa, flow_id="help",
                           definition=OWN_HELP.replace("next: show", "next: gone"))
    assert "node numbers" in refused.value.message
    assert refused.value.extra["field"] == "definition"
    assert not FlowOverride.objects.exists()


def test_only_the_municipality_s_administrators_override_its_flows(place, make_staff):
    aaa, bbb = place
    other = make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": bbb})
    with pytest.raises(PermissionDenied):
        flow_override_save(actor=other, municipality=aaa, flow_id="help", definition=OWN_HELP)


def test_the_admin_shows_a_refused_flow_as_a_form_error_keeping_the_text(place, make_staff,
                                                                        client):
    aaa = place[0]
    admin = make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": aaa})
    admin.user.is_staff = True
    admin.user.save()
    client.force_login(admin.user)
    broken = OWN_HELP.replace("type: end", "type: finale")
    response = client.post("/admin/conversations/flowoverride/add/", {
        "municipality": aaa.pk, "flow_id": "help", "definition": broken, "active": "on"})
    assert response.status_code == 200
    assert "unknown node type" in response.content.decode()
    assert "finale" in response.content.decode()
    assert not FlowOverride.objects.exists()
