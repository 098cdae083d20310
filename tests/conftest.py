"""Shared fixtures.

Tests that need a service (PostgreSQL, Chromium, Spark) skip with a reason when it is
missing, except under MARSAD_ALL_TESTS=1 (set by `make test` and CI), where a missing
service is a failure: CI must not pass by skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared"))
ALL_TESTS = os.environ.get("MARSAD_ALL_TESTS") == "1"


def need(condition: bool, reason: str) -> None:
    """Skip (or, under MARSAD_ALL_TESTS=1, fail) when a required service is missing."""
    if condition:
        return
    if ALL_TESTS:
        pytest.fail(f"required for the full suite: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def resources():
    from marsad.resources import load_resources

    return load_resources()


@pytest.fixture(scope="session")
def ar():
    from marsad.lang import get_language

    return get_language("ar")


@pytest.fixture(scope="session")
def seed_text() -> str:
    return (EXAMPLES / "lavrov-pyongyang.txt").read_text(encoding="utf-8")
