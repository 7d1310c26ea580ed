from datetime import timedelta

import pytest
from django.utils import timezone

from imbizo.accounts.models import Role
from imbizo.cases.compliance import sla_compliance
from imbizo.cases.lifecycle import case_resolve
from imbizo.cases.models import Case
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor


def test_compliance_counts_met_and_breached_and_hides_small_groups(log_case, make_staff,
                                                                   municipalities):
    aaa, _ = municipalities
    system = system_actor("web")
    potholes = [log_case("pothole") for _ in range(6)]
    for case in potholes[:4]:
        case_resolve(actor=system, case=case, note="Fixed")
    Case.objects.filter(pk=potholes[3].pk).update(resolve_breached=True)
    log_case("burst-pipe")  # water: one case, below the cell minimum
    analyst = make_staff({"role": Role.ANALYST, "municipality": aaa})
    now = timezone.now()
    rows = sla_compliance(actor=analyst, municipality_id=aaa.pk, since=now - timedelta(days=1),
                          until=now + timedelta(days=1))
    assert rows == [{"group": "Roads", "cases": 6, "resolved": 4, "met": 3, "breached": 1,
                     "open_overdue": 0, "rating": None, "met_share": 0.75}]


def test_only_analytics_holders_of_that_municipality_read_it(make_staff, municipalities):
    aaa, bbb = municipalities
    now = timezone.now()
    for actor in (make_staff({"role": Role.ANALYST, "municipality": bbb}),
                  make_staff({"role": Role.AGENT, "municipality": aaa})):
        with pytest.raises(ImbizoError):
            sla_compliance(actor=actor, municipality_id=aaa.pk, since=now, until=now)
