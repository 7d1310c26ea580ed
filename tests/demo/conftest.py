"""Helpers for the demo's tests."""

import pytest

from imbizo.demo.seed import demo_seed


@pytest.fixture
def demo(db):
    """The demo, loaded through the same function as ``imbizo seed-demo``, with fewer
    residents (200) and cases (10,000) than the defaults, where that is enough."""
    return demo_seed(residents=30, cases=500)
