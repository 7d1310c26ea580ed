"""Whatever a billing system sends, a row is either read or rejected with a reason: never
an error that would stop the import (derandomised, so that CI is stable)."""

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imbizo.billing.records import AccountRow, RowError, RowReader

from .conftest import account

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
FIELDS = list(account()) + ["line", "description", "amount", "period", "kind", "reference"]


@settings(max_examples=300, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(st.dictionaries(st.sampled_from(FIELDS), values, max_size=8))
def test_any_account_is_read_or_rejected_with_a_reason(changes):
    reader = RowReader({"1": 1, "90100001": 1})
    for read in (reader.account, reader.statement, reader.transaction):
        try:
            assert isinstance(read({**account(), **changes}), object)
        except RowError as exc:
            assert isinstance(exc.reason, str) and exc.reason


@settings(max_examples=100, derandomize=True, database=None, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["line", "description", "service", "amount"]),
                                values, max_size=4), max_size=3))
def test_any_statement_lines_are_read_or_rejected(lines):
    with contextlib.suppress(RowError):
        RowReader({}).statement({"period": "2026-06", "lines": lines})


def test_a_good_account_reads():
    assert isinstance(RowReader({"1": 1}).account(account()), AccountRow)
