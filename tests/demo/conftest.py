"""Helpers for the demo's tests."""

import pytest

from imbizo.demo.seed import demo_seed


@pytest.fixture(scope="module")
def demo_for_module(module_db):
    return demo_seed(residents=30, cases=500)


@pytest.fixture
def demo(demo_for_module, db):
    """The demo, loaded through the same function as ``imbizo seed-demo``, with fewer
    residents (200) and cases (10,000) than the defaults, where that is enough; loaded
    once a module (tests that need an empty database are in test_demo_fresh.py)."""
    return demo_for_module
