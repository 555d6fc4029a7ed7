"""Which events can matter to a due list on a date (so the database adapter need not read the rest).

A large district has millions of old events that no rule can look at any more: last
year's chronic follow-ups, a grown-up's childhood vaccinations. ``event_horizons`` gives,
per event type, the earliest date a rule of ``catalogue`` can still use on ``as_of``, and
``child_birth_cutoff`` the birth date before which a person's child-service events
(vaccination, child checkups, newborn visit) cannot matter. Both are conservative; a test
checks that lists from pruned facts equal lists from all facts.
"""

from __future__ import annotations

from datetime import date, timedelta

from weiji.rules.catalogue import Catalogue
from weiji.rules.dates import month_end, quarter_bounds

CHILD_EVENT_TYPES = frozenset({"vaccination", "child_checkup", "newborn_visit"})


def event_horizons(catalogue: Catalogue, as_of: date) -> dict[str, date]:
    """Per type: events dated before it cannot change any item listed on ``as_of``."""
    s, t = catalogue.services, catalogue.terms

    def days(n: int) -> date:
        return as_of - timedelta(days=n)

    pregnancy_span = t["gestation_days"] + t["lost_after_edd_days"]
    return {
        # done only within the current quarter / year
        "chronic_followup": quarter_bounds(as_of)[0],
        "elderly_checkup": date(as_of.year, 1, 1),
        # a supply lasting to the month's end started at most supply_days before it
        "folic_acid": month_end(as_of) - timedelta(days=s["folic_acid"]["supply_days"]),
        # done on or after the marriage m, and m > D - marriage_within_days
        "preconception_checkup": days(s["preconception_checkup"]["marriage_within_days"] + 1),
        # done on or after the current pregnancy's lmp, which is ≥ D - (280 + 30)
        "maternal_handbook": days(pregnancy_span + 1),
        "antenatal_visit": days(pregnancy_span + 1),
        # done on or after the discharge/outcome of a delivery still listed
        "postpartum_visit": days(s["postpartum_visit"]["expires_days"] + 1),
        "postpartum_42d": days(s["postpartum_42d"]["expires_days"] + 1),
    }


def child_birth_cutoff(catalogue: Catalogue, as_of: date) -> date:
    """Persons born before this date get no child services on ``as_of``."""
    s = catalogue.services
    spans = [
        s["vaccine"]["max_age_years"] * 366 + 1,
        s["newborn_visit"]["expires_days"] + 1,
    ]
    last = catalogue.child_checkups[-1]
    per_unit = {"days": 1, "months": 31, "years": 366}[last.unit]
    spans.append(last.amount * per_unit + 1 + s["child_checkup"]["last_expires_days"])
    return as_of - timedelta(days=max(spans) + 1)
