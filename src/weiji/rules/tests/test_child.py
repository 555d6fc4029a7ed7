"""newborn_visit and child_checkup_<age> (the child is the person on the row)."""

import pytest

from weiji.rules.tests.make import OTHER_VILLAGE, ev, items, person, rows

D = "2026-03-01"  # E = 2026-03-31
MOTHER = person("M", birth="1995-05-10", village=OTHER_VILLAGE)


def child(birth, **kw):
    return person("C", sex="1", birth=birth, mother="M", **kw)


def born(day, discharge=None, event_id=None):
    return ev("pregnancy_outcome", day, "M", outcome="live_birth", discharge=discharge,
              event_id=event_id)


@pytest.mark.parametrize("birth,events,expected", [
    ("2026-02-20", [born("2026-02-20", "2026-02-25")], [("newborn_visit", "2026-02-25", "2026-03-04", "due")]),
    ("2026-02-20", [born("2026-02-20")], [("newborn_visit", "2026-02-23", "2026-03-02", "due")]),
    ("2026-02-20", [], [("newborn_visit", "2026-02-23", "2026-03-02", "due")]),  # no outcome: b + 3
    ("2026-02-20", [born("2026-02-19", "2026-02-25")],
     [("newborn_visit", "2026-02-23", "2026-03-02", "due")]),  # outcome not dated b
    ("2026-02-20", [born("2026-02-20", "2026-02-28", event_id="E1"),
                    born("2026-02-20", "2026-02-26", event_id="E2")],
     [("newborn_visit", "2026-02-26", "2026-03-05", "due")]),  # twins: latest by event_id
    ("2026-02-20", [ev("newborn_visit", "2026-02-20", "C")], []),
    ("2026-02-20", [ev("newborn_visit", "2026-02-19", "C")],
     [("newborn_visit", "2026-02-23", "2026-03-02", "due")]),
    ("2026-02-02", [], [("newborn_visit", "2026-02-05", "2026-02-12", "overdue")]),  # b + 28 = D + 1
    ("2026-02-01", [], []),  # b + 28 = D: expired
])
def test_newborn_visit(birth, events, expected):
    found = items([MOTHER, child(birth)], events, D, "C", service="newborn_visit")
    assert rows(found) == expected


def checkups(birth, events=(), on=D):
    found = items([MOTHER, child(birth)], list(events), on, "C")
    return rows([i for i in found if i.service.startswith("child_checkup_")])


def test_checkup_targets_month_end_clamping():
    # b = 2025-12-31: 1m t = 2026-01-28 (expires at the 3m t = 2026-03-31, clamped)
    assert checkups("2025-12-31") == [
        ("child_checkup_1m", "2026-01-28", "2026-02-11", "overdue"),
        ("child_checkup_3m", "2026-03-31", "2026-04-30", "due"),
    ]


@pytest.mark.parametrize("checkup_day,expected", [
    ("2026-03-16", [("child_checkup_1m", "2026-01-28", "2026-02-11", "overdue")]),  # 3m t - 15
    ("2026-03-15", [("child_checkup_3m", "2026-03-31", "2026-04-30", "due")]),  # counts for 1m
    ("2026-01-13", [("child_checkup_3m", "2026-03-31", "2026-04-30", "due")]),  # 1m t - 15
    ("2026-01-12", [("child_checkup_1m", "2026-01-28", "2026-02-11", "overdue"),
                    ("child_checkup_3m", "2026-03-31", "2026-04-30", "due")]),
])
def test_checkup_counts_for_exactly_one_target(checkup_day, expected):
    on = "2026-03-20"
    assert checkups("2025-12-31", [ev("child_checkup", checkup_day, "C")], on) == expected


def test_checkup_leap_day_birth():
    # b = 2024-02-29: 12m t = 2025-02-28; D = 2025-03-01 lists it (18m t is later)
    assert checkups("2024-02-29", on="2025-03-01") == [
        ("child_checkup_12m", "2025-02-28", "2025-03-30", "due"),
    ]


def test_last_checkup_expires_at_t_plus_90():
    # b = 2019-12-01: 6y t = 2025-12-01, expires 2026-03-01
    assert checkups("2019-12-01", on="2026-02-28") == [
        ("child_checkup_6y", "2025-12-01", "2026-03-01", "due"),
    ]
    assert checkups("2019-12-01", on="2026-03-01") == []
    # a checkup on t + 89 is done; on t + 90 it is outside the range
    assert checkups("2019-12-01", [ev("child_checkup", "2026-02-28", "C")], "2026-02-28") == []


def test_child_out_of_scope_gets_nothing_but_still_counts_as_a_child():
    away = person("C", sex="1", birth="2026-02-20", mother="M", residency="registered_absent")
    assert items([MOTHER, away], [], D, "C") == []
