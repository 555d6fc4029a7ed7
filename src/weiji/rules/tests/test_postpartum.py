"""postpartum_visit and postpartum_42d of the latest delivery."""

import pytest

from weiji.rules.tests.make import ev, items, person, rows

D = "2026-03-01"
W = person(birth="1995-05-10")


def outcome(day, kind="live_birth", discharge=None, who="W", event_id=None):
    return ev("pregnancy_outcome", day, who, outcome=kind, discharge=discharge, event_id=event_id)


@pytest.mark.parametrize("events,expected", [
    ([outcome("2026-02-20")], [("postpartum_visit", "2026-02-23", "2026-03-02", "due")]),
    ([outcome("2026-02-20", discharge="2026-03-05")],
     [("postpartum_visit", "2026-03-05", "2026-03-12", "due")]),  # discharge after D as given
    ([outcome("2026-02-20", "stillbirth")], [("postpartum_visit", "2026-02-23", "2026-03-02", "due")]),
    ([outcome("2026-02-20", "miscarriage")], []),
    ([outcome("2026-02-20"), ev("postpartum_visit", "2026-02-22")],
     [("postpartum_visit", "2026-02-23", "2026-03-02", "due")]),  # before x
    ([outcome("2026-02-20"), ev("postpartum_visit", "2026-02-23")], []),
    # x + 28 = D: expired
    ([outcome("2026-01-28", discharge="2026-02-01")], [("postpartum_42d", "2026-03-11", "2026-03-25", "due")]),
    ([outcome("2026-01-28", discharge="2026-02-02")], [
        ("postpartum_visit", "2026-02-02", "2026-02-09", "overdue"),
        ("postpartum_42d", "2026-03-11", "2026-03-25", "due"),
    ]),
    # 42-day check: done range [d + 28, d + 90]
    ([outcome("2026-01-20"), ev("postpartum_42d", "2026-02-17")], []),
    ([outcome("2026-01-20"), ev("postpartum_42d", "2026-02-16")],
     [("postpartum_42d", "2026-03-03", "2026-03-17", "due")]),
    # d + 90 = D: expired; d + 89: overdue
    ([outcome("2025-12-01")], []),
    ([outcome("2025-12-02")], [("postpartum_42d", "2026-01-13", "2026-01-27", "overdue")]),
    # d + 42 after E: not yet listed
    ([outcome("2026-02-18", discharge="2026-02-18")],
     [("postpartum_visit", "2026-02-18", "2026-02-25", "overdue")]),
    ([outcome("2026-02-17", discharge="2026-02-17")],
     [("postpartum_visit", "2026-02-17", "2026-02-24", "overdue"),
      ("postpartum_42d", "2026-03-31", "2026-04-14", "due")]),
    # the latest delivery counts; a later miscarriage is no delivery
    ([outcome("2025-01-10"), outcome("2026-02-20"), outcome("2026-02-25", "miscarriage")],
     [("postpartum_visit", "2026-02-23", "2026-03-02", "due")]),
    ([outcome("2026-03-02")], []),  # after D
])
def test_postpartum(events, expected):
    assert rows(items([W], events, D)) == expected


def test_twins_latest_outcome_by_event_id():
    events = [outcome("2026-02-20", discharge="2026-02-24", event_id="E2"),
              outcome("2026-02-20", discharge="2026-02-22", event_id="E1")]
    (visit,) = items([W], events, D, service="postpartum_visit")
    assert visit.due_from.isoformat() == "2026-02-24" and visit.basis == ("E2",)
