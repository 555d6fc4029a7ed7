"""pregnancy_followup_lost: one lead per open pregnancy past EDD + 30 (两非线索)."""

import pytest

from weiji.rules.tests.make import ev, items, person, rows

W = person(birth="1990-01-01")  # any age: the rule names a pregnancy


def reg(lmp, who="W"):
    return ev("pregnancy_registered", lmp, who, lmp=lmp)


@pytest.mark.parametrize("on,expected", [
    ("2025-11-07", []),  # EDD + 30 (lmp 2025-01-01, EDD 2025-10-08): still current
    ("2025-11-08", [("pregnancy_followup_lost", "2025-11-08", "2025-11-08", "lead")]),
    ("2026-11-07", [("pregnancy_followup_lost", "2025-11-08", "2025-11-08", "lead")]),
    ("2026-11-08", []),  # EDD + 396: no longer listed
])
def test_lead_window(on, expected):
    found = items([W], [reg("2025-01-01")], on, service="pregnancy_followup_lost")
    assert rows(found) == expected


def test_one_row_per_open_pregnancy_and_responsible_town():
    events = [reg("2024-06-01"), reg("2025-01-01"), reg("2025-12-01")]
    found = items([W], events, "2026-03-01")
    assert rows([i for i in found if i.service == "pregnancy_followup_lost"]) == [
        ("pregnancy_followup_lost", "2025-04-08", "2025-04-08", "lead"),
        ("pregnancy_followup_lost", "2025-11-08", "2025-11-08", "lead"),
    ]
    assert {i.responsible for i in found if i.service == "pregnancy_followup_lost"} == {"320981100"}
    # the latest, still current pregnancy has its own services
    assert "anc_2" in {i.service for i in found}


def test_ended_pregnancy_is_no_lead():
    events = [reg("2025-01-01"), ev("pregnancy_outcome", "2025-10-01", outcome="induced_abortion")]
    assert items([W], events, "2026-03-01") == []


def test_outcome_more_than_308_days_after_lmp_ends_nothing():
    events = [reg("2025-01-01"), ev("pregnancy_outcome", "2025-11-06", outcome="live_birth",
                                    discharge="2025-11-06")]
    found = items([W], events, "2026-03-01", service="pregnancy_followup_lost")
    assert len(found) == 1


def test_not_in_scope_no_lead():
    away = person(residency="registered_absent")
    assert items([away], [reg("2025-01-01")], "2026-03-01") == []
