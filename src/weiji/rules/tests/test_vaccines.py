"""vaccine_<code>_<dose> per the schedule version of the birth date."""

import pytest

from weiji.rules.tests.make import ev, items, person, rows


def vaccines(birth, events=(), on="2025-03-01"):
    found = items([person("C", sex="1", birth=birth)], list(events), on, "C")
    return sorted(rows([i for i in found if i.service.startswith("vaccine_")]))


def shot(day, vaccine, dose, event_id=None):
    return ev("vaccination", day, "C", vaccine=vaccine, dose=dose, event_id=event_id)


def test_schedule_version_changes_on_2025_01_01():
    # 2025 programme: DTaP dose 1 at 2 months
    assert vaccines("2025-01-01") == [
        ("vaccine_bcg_1", "2025-01-01", "2025-01-31", "overdue"),
        ("vaccine_dtap_1", "2025-03-01", "2025-03-31", "due"),
        ("vaccine_hepb_1", "2025-01-01", "2025-01-31", "overdue"),
        ("vaccine_ipv_1", "2025-03-01", "2025-03-31", "due"),
    ]
    # 2021 programme: DTaP dose 1 at 3 months (b + 3 months clamps to 2025-03-31 ≤ E)
    assert vaccines("2024-12-31") == [
        ("vaccine_bcg_1", "2024-12-31", "2025-01-30", "overdue"),
        ("vaccine_dtap_1", "2025-03-31", "2025-04-30", "due"),
        ("vaccine_hepb_1", "2024-12-31", "2025-01-30", "overdue"),
        ("vaccine_ipv_1", "2025-02-28", "2025-03-30", "due"),
    ]


@pytest.mark.parametrize("events,hepb2", [
    ([shot("2025-01-20", "hepb", 1)], ("vaccine_hepb_2", "2025-02-17", "2025-03-19", "due")),
    # the earliest record counts
    ([shot("2025-01-20", "hepb", 1), shot("2025-01-05", "hepb", 1)],
     ("vaccine_hepb_2", "2025-02-02", "2025-03-04", "due")),
    ([shot("2025-01-01", "hepb", 1)], ("vaccine_hepb_2", "2025-02-01", "2025-03-03", "due")),
    ([shot("2025-03-02", "hepb", 1)], None),  # recorded after D: dose 2 not yet listed
    ([], None),
])
def test_next_dose_after_interval_once_previous_recorded(events, hepb2):
    found = [r for r in vaccines("2025-01-01", events) if r[0] == "vaccine_hepb_2"]
    assert found == ([hepb2] if hepb2 else [])


def test_recorded_dose_is_done_even_if_earlier_missing():
    found = {r[0] for r in vaccines("2025-01-01", [shot("2025-01-02", "bcg", 1), shot("2025-01-02", "hepb", 2)])}
    assert "vaccine_bcg_1" not in found and "vaccine_hepb_1" in found
    assert "vaccine_hepb_2" not in found


@pytest.mark.parametrize("on,listed", [("2025-03-14", True), ("2025-03-15", False)])
def test_expires_at_the_vaccines_age_limit(on, listed):
    # BCG is given until 48 months: b = 2021-03-15
    assert (("vaccine_bcg_1", "2021-03-15", "2021-04-14", "overdue") in vaccines("2021-03-15", on=on)) is listed


def test_nothing_from_the_seventh_birthday():
    assert vaccines("2019-03-01", on="2026-03-01") == []
    # one day younger: DT at 72 months (b + 72 months = 2025-03-02), expiring at 7 years
    assert ("vaccine_dt_1", "2025-03-02", "2025-04-01", "overdue") in vaccines("2019-03-02", on="2026-03-01")


def test_due_from_after_e_not_listed():
    given = [shot("2025-01-02", "hepb", 1), shot("2025-01-02", "bcg", 1)]
    # E = 2025-02-28: IPV/DTaP dose 1 at b + 2 months = 2025-03-02 are not yet listed
    assert vaccines("2025-01-02", given, on="2025-02-01") == [
        ("vaccine_hepb_2", "2025-02-02", "2025-03-04", "due"),
    ]
    assert [r[0] for r in vaccines("2025-01-02", given, on="2025-03-01")] == [
        "vaccine_dtap_1", "vaccine_hepb_2", "vaccine_ipv_1",
    ]
