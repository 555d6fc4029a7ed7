"""Campaign progress, ranking and acceptance (检查验收), as pure functions over ``District``.

service-catalogue.md "Campaigns": targets are evaluated on the start date S; a target
*attended* (进站) with a ``health_checkup`` dated in [start, end] at a health or community
centre (any, not only her own); *visited* (综合查访) = attended, or a ``home_visit`` dated in
[start, end]. Rates and pass are compared on exact fractions; rates are written with four
decimals rounded half up. The same functions drive ``weiji campaign-report``, the progress
pages (with ``until`` = today, so only what has happened so far counts) and the ranking.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from weiji.campaigns.definition import CampaignDefinition
from weiji.campaigns.target_rules import is_target
from weiji.rules.facts import District, Person
from weiji.rules.terms import RESPONSIBLE_FACILITY_KINDS, unit_path

REPORT_COLUMNS = ["village_code", "urban_rural", "targets", "attended", "visited",
                  "attendance_rate", "visit_rate", "pass", "rank"]


@dataclass(frozen=True, slots=True)
class VillageResult:
    village_code: str
    village_name: str
    zone_code: str
    urban_rural: str  # "urban" | "rural"
    targets: int
    attended: int
    visited: int
    passed: bool | None
    rank: int | None
    attended_today: int = 0
    visited_today: int = 0

    @property
    def attendance(self) -> Fraction | None:
        return Fraction(self.attended, self.targets) if self.targets else None

    @property
    def visit(self) -> Fraction | None:
        return Fraction(self.visited, self.targets) if self.targets else None


@dataclass(frozen=True, slots=True)
class TargetStatus:
    person: Person
    attended_on: date | None  # date of the first qualifying checkup
    visited_on: date | None  # first checkup or home visit

    @property
    def attended(self) -> bool:
        return self.attended_on is not None

    @property
    def visited(self) -> bool:
        return self.visited_on is not None


def class_of(urban_rural_code: str) -> str:
    """``urban`` for 城乡分类代码 1xx, ``rural`` otherwise (2xx)."""
    return "urban" if urban_rural_code.startswith("1") else "rural"


def campaign_villages(district: District, defn: CampaignDefinition) -> list[str]:
    """Codes of the villages taking part: all, or those under the definition's scope."""
    codes = sorted(c for c, u in district.units.items() if u.level == "village")
    if not defn.scope:
        return codes
    scope = set(defn.scope)
    return [c for c in codes if scope.intersection(unit_path(district, c))]


def campaign_targets(district: District, defn: CampaignDefinition) -> dict[str, list[Person]]:
    """Targets per village code (persons matching the target rule on the start date)."""
    villages = set(campaign_villages(district, defn))
    result: dict[str, list[Person]] = {code: [] for code in sorted(villages)}
    for person in district.persons.values():
        if person.village_code not in villages:
            continue
        if is_target(district, person, defn.start, defn.target_rule, defn.target_params):
            result[person.village_code].append(person)
    for persons in result.values():
        persons.sort(key=lambda p: p.local_id)
    return result


def target_status(
    district: District, defn: CampaignDefinition, person: Person, *, until: date | None = None
) -> TargetStatus:
    """Whether (and when first) a target attended and was visited within the campaign."""
    last = defn.end if until is None else min(defn.end, until)
    attended_on = visited_on = None
    for ev in district.events.get(person.local_id, ()):  # sorted by date
        if ev.date < defn.start or ev.date > last:
            continue
        if ev.type == "health_checkup" and attended_on is None:
            facility = district.facilities.get(ev.facility_code or "")
            if facility is not None and facility.kind in RESPONSIBLE_FACILITY_KINDS:
                attended_on = ev.date
                visited_on = visited_on or ev.date
        elif ev.type == "home_visit" and visited_on is None:
            visited_on = ev.date
    return TargetStatus(person, attended_on, visited_on)


def _zone_of(district: District, village_code: str) -> str:
    for code in unit_path(district, village_code)[1:]:
        unit = district.units.get(code)
        if unit is not None and unit.level == "zone":
            return code
    return ""


def rank_key(result: VillageResult) -> tuple[Fraction, Fraction, str]:
    return (-(result.visit or Fraction(0)), -(result.attendance or Fraction(0)),
            result.village_code)


def campaign_results(
    district: District,
    defn: CampaignDefinition,
    *,
    until: date | None = None,
    today: date | None = None,
    targets: dict[str, list[Person]] | None = None,
    activity: District | None = None,
) -> list[VillageResult]:
    """One result per taking-part village, sorted by village code, ranked and judged.

    ``district`` holds the facts on the start date (targets); ``activity`` the targets'
    checkups and home visits during the campaign (default: ``district`` itself).
    ``until`` limits the events to those dated on or before it (progress during the
    campaign); ``today`` fills the ``*_today`` counts.
    """
    if targets is None:
        targets = campaign_targets(district, defn)
    activity = district if activity is None else activity
    counts = []
    for code in sorted(targets):
        statuses = [target_status(activity, defn, p, until=until) for p in targets[code]]
        unit = district.units.get(code)
        counts.append(VillageCounts(
            village_code=code,
            village_name=unit.name if unit else "",
            zone_code=_zone_of(district, code),
            urban_rural_code=unit.urban_rural if unit else "",
            targets=len(statuses),
            attended=sum(1 for s in statuses if s.attended),
            visited=sum(1 for s in statuses if s.visited),
            attended_today=sum(1 for s in statuses if today and s.attended_on == today),
            visited_today=sum(1 for s in statuses if today and s.visited_on == today),
        ))
    return results_from_counts(counts, defn)


@dataclass(frozen=True, slots=True)
class VillageCounts:
    village_code: str
    village_name: str
    zone_code: str
    urban_rural_code: str
    targets: int
    attended: int
    visited: int
    attended_today: int = 0
    visited_today: int = 0


def results_from_counts(counts: Iterable[VillageCounts], defn: CampaignDefinition
                        ) -> list[VillageResult]:
    """Judge (pass) and rank villages from their counts."""
    partial = []
    for c in counts:
        cls = class_of(c.urban_rural_code)
        passed = None
        if c.targets:
            th = defn.threshold_for(cls)
            passed = (Fraction(c.attended, c.targets) >= th.attendance_fraction
                      and Fraction(c.visited, c.targets) >= th.visit_fraction)
        partial.append(VillageResult(
            c.village_code, c.village_name, c.zone_code, cls, c.targets, c.attended,
            c.visited, passed, None, c.attended_today, c.visited_today,
        ))
    return rank_results(partial)


def rank_results(results: Iterable[VillageResult]) -> list[VillageResult]:
    """Assign ranks 1, 2, … to villages with targets (visit desc, attendance desc, code)."""
    results = list(results)
    ranked = sorted((r for r in results if r.targets), key=rank_key)
    ranks = {r.village_code: i for i, r in enumerate(ranked, start=1)}
    out = []
    for r in results:
        out.append(VillageResult(
            r.village_code, r.village_name, r.zone_code, r.urban_rural, r.targets, r.attended,
            r.visited, r.passed, ranks.get(r.village_code), r.attended_today, r.visited_today,
        ))
    return sorted(out, key=lambda r: r.village_code)


def format_rate(rate: Fraction | None) -> str:
    """Four decimals, rounded half up, from the exact fraction (``2/3 → '0.6667'``)."""
    if rate is None:
        return ""
    scaled = (2 * rate.numerator * 10_000 + rate.denominator) // (2 * rate.denominator)
    return f"{scaled // 10_000}.{scaled % 10_000:04d}"


def report_row(result: VillageResult) -> dict[str, str]:
    return {
        "village_code": result.village_code,
        "urban_rural": result.urban_rural,
        "targets": str(result.targets),
        "attended": str(result.attended),
        "visited": str(result.visited),
        "attendance_rate": format_rate(result.attendance),
        "visit_rate": format_rate(result.visit),
        "pass": "" if result.passed is None else ("true" if result.passed else "false"),
        "rank": "" if result.rank is None else str(result.rank),
    }


@dataclass(frozen=True, slots=True)
class ZoneResult:
    zone_code: str
    targets: int
    attended: int
    visited: int

    @property
    def attendance(self) -> Fraction | None:
        return Fraction(self.attended, self.targets) if self.targets else None

    @property
    def visit(self) -> Fraction | None:
        return Fraction(self.visited, self.targets) if self.targets else None


def zone_results(results: Iterable[VillageResult]) -> list[ZoneResult]:
    """Totals per zone (管区); villages directly under a town are grouped under ''."""
    totals: dict[str, list[int]] = {}
    for r in results:
        t = totals.setdefault(r.zone_code, [0, 0, 0])
        t[0] += r.targets
        t[1] += r.attended
        t[2] += r.visited
    return [ZoneResult(code, *t) for code, t in sorted(totals.items())]


def lagging_villages(results: Iterable[VillageResult], defn: CampaignDefinition) -> list[VillageResult]:
    """Villages below either threshold of their class (the town's 约谈 list at mid-campaign),
    worst first."""
    lagging = [r for r in results if r.targets and r.passed is False]
    return sorted(lagging, key=lambda r: (r.rank or 0), reverse=True)
