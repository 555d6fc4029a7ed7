"""early_pregnancy_registration and anc_2–anc_5 of the current pregnancy."""

import pytest

from weiji.rules.tests.make import ev, items, person, rows

D = "2026-03-01"  # E = 2026-03-31
W = person(birth="1995-05-10")


def reg(lmp, day=None, who="W", event_id=None):
    return ev("pregnancy_registered", day or lmp, who, lmp=lmp, event_id=event_id)


@pytest.mark.parametrize("events,expected", [
    ([reg("2025-11-01", "2025-12-20")], [
        ("early_pregnancy_registration", "2025-11-01", "2026-01-30", "overdue"),
        ("anc_2", "2026-02-21", "2026-03-27", "due"),
        ("anc_3", "2026-03-28", "2026-04-24", "due"),  # opens before E
    ]),
    ([reg("2025-11-01", "2025-12-20"), ev("maternal_handbook", "2025-11-01"),
      ev("antenatal_visit", "2026-02-21")], [("anc_3", "2026-03-28", "2026-04-24", "due")]),
    ([reg("2025-11-01", "2025-12-20"), ev("maternal_handbook", "2025-10-31"),
      ev("antenatal_visit", "2026-02-20")], [
        ("early_pregnancy_registration", "2025-11-01", "2026-01-30", "overdue"),
        ("anc_2", "2026-02-21", "2026-03-27", "due"),
        ("anc_3", "2026-03-28", "2026-04-24", "due"),
    ]),
    # D = lmp + 146: anc_2 still listed (its last day); anc_3 opens tomorrow
    ([reg("2025-10-06"), ev("maternal_handbook", "2025-12-01")], [
        ("anc_2", "2026-01-26", "2026-03-01", "due"),
        ("anc_3", "2026-03-02", "2026-03-29", "due"),
    ]),
    # D = lmp + 147: anc_2 expired (never overdue)
    ([reg("2025-10-05"), ev("maternal_handbook", "2025-12-01")], [
        ("anc_3", "2026-03-01", "2026-03-28", "due"),
    ]),
    # D = lmp + 196: anc_3 expired (overdue until then), anc_4 opens
    ([reg("2025-08-17"), ev("maternal_handbook", "2025-09-01")], [
        ("anc_4", "2026-03-01", "2026-05-02", "due"),
    ]),
    ([reg("2025-08-18"), ev("maternal_handbook", "2025-09-01")], [
        ("anc_3", "2026-01-12", "2026-02-08", "overdue"),
        ("anc_4", "2026-03-02", "2026-05-03", "due"),
    ]),
    # D = EDD + 30: still current, anc_5 overdue; EDD + 31: a lead instead
    ([reg("2025-04-25"), ev("maternal_handbook", "2025-05-01"),
      ev("antenatal_visit", "2025-11-10")], [("anc_5", "2026-01-09", "2026-02-05", "overdue")]),
    ([reg("2025-04-24"), ev("maternal_handbook", "2025-05-01"),
      ev("antenatal_visit", "2025-11-10")], [("pregnancy_followup_lost", "2026-03-01", "2026-03-01", "lead")]),
    # lmp after D is not yet a pregnancy; registration after D is not known
    ([reg("2026-03-02", "2026-02-20")], []),
    ([reg("2026-01-01", "2026-03-02")], []),
])
def test_current_pregnancy_services(events, expected):
    assert rows(items([W], events, D)) == expected


def test_outcome_ends_the_current_pregnancy():
    events = [reg("2025-11-01"), ev("pregnancy_outcome", "2026-02-01", outcome="miscarriage")]
    assert items([W], events, D) == []


def test_registered_twice_is_one_pregnancy_with_both_as_basis():
    events = [reg("2025-11-01", "2025-12-01", event_id="R1"),
              reg("2025-11-01", "2025-12-05", event_id="R2")]
    found = items([W], events, D, service="anc_2")
    assert len(found) == 1 and found[0].basis == ("R1", "R2")


def test_latest_open_pregnancy_is_current():
    events = [reg("2025-06-01"), reg("2025-11-01", "2025-12-01")]
    assert rows(items([W], events, D, service="early_pregnancy_registration")) == [
        ("early_pregnancy_registration", "2025-11-01", "2026-01-30", "overdue")
    ]


def test_pregnancy_on_a_male_record_still_applies():
    man = person("M", sex="1", birth="1990-01-01")
    assert [i.service for i in items([man], [reg("2025-11-01", who="M")], D, "M")][:2] == [
        "early_pregnancy_registration", "anc_2"
    ]
