"""Reads for campaigns: the facts a campaign is evaluated on, progress, ranking, target lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from weiji.accounts.scope import scope_villages
from weiji.campaigns.acceptance import (
    VillageCounts,
    VillageResult,
    ZoneResult,
    campaign_results,
    campaign_targets,
    lagging_villages,
    results_from_counts,
    zone_results,
)
from weiji.campaigns.definition import CampaignDefinition
from weiji.rules.facts import District, Person
from weiji.rules.terms import RESPONSIBLE_FACILITY_KINDS
from weiji.worklists.facts import district_from_db

CHECKIN_SEARCH_LIMIT = 20


ACTIVITY_TYPES = ("health_checkup", "home_visit")


@dataclass(frozen=True, slots=True)
class CampaignFacts:
    """The facts on the start date (for the target rule) and the targets' checkups and
    home visits up to the end (or ``until``)."""

    on_start: District
    targets: dict[str, list[Person]]
    activity: District


def campaign_scope_villages(defn: CampaignDefinition) -> list[str] | None:
    """Codes of the villages under the definition's scope (None: the whole district)."""
    from weiji.orgunits.models import OrgUnit

    if not defn.scope:
        return None
    cond = Q()
    for code in defn.scope:
        cond |= Q(path__contains=f"/{code}/")
    return list(OrgUnit.objects.filter(cond, level="village").values_list("code", flat=True))


def campaign_start_facts(defn: CampaignDefinition) -> District:
    """The facts known on the start date, for the campaign's villages (and references)."""
    return district_from_db(on=defn.start, villages=campaign_scope_villages(defn))


def campaign_facts(defn: CampaignDefinition, *, until: date | None = None) -> CampaignFacts:
    on_start = campaign_start_facts(defn)
    targets = campaign_targets(on_start, defn)
    ids = [p.local_id for persons in targets.values() for p in persons]
    last = defn.end if until is None else max(defn.start, min(defn.end, until))
    activity = district_from_db(on=last, persons=ids, types=ACTIVITY_TYPES)
    return CampaignFacts(on_start, targets, activity)


def campaign_report_results(defn: CampaignDefinition, *, until: date | None = None,
                            today: date | None = None) -> list[VillageResult]:
    """Per-village results (the acceptance report when ``until`` is None)."""
    facts = campaign_facts(defn, until=until)
    return campaign_results(facts.on_start, defn, targets=facts.targets,
                            activity=facts.activity, until=until, today=today)


def campaign_list(*, user) -> QuerySet:
    """Campaigns that concern some village the user may see (newest first)."""
    from weiji.campaigns.models import Campaign

    campaigns = Campaign.objects.all()
    if user is not None and getattr(user, "is_superuser", False):
        return campaigns
    paths = list(scope_villages(user).values_list("path", flat=True))
    if not paths:
        return campaigns.none()
    visible = []
    for campaign in campaigns:
        if not campaign.scope or any(f"/{code}/" in path for path in paths
                                     for code in campaign.scope):
            visible.append(campaign.pk)
    return campaigns.filter(pk__in=visible)


def _user_village_codes(user) -> set[str] | None:
    """Village codes the user may see (None: all)."""
    if user is not None and getattr(user, "is_superuser", False):
        return None
    return set(scope_villages(user).values_list("code", flat=True))


@dataclass(frozen=True, slots=True)
class Progress:
    day: date
    results: list[VillageResult]  # every village of the campaign, ranked
    visible: list[VillageResult]  # those the user may see
    zones: list[ZoneResult]
    lagging: list[VillageResult]
    targets: int
    attended: int
    visited: int
    attended_today: int
    visited_today: int
    finished: bool


def campaign_village_counts(*, campaign, day: date) -> list[VillageCounts]:
    """Counts per taking-part village from the stored target list and the records so far
    (database queries only, fast enough for every check-in)."""
    from weiji.orgunits.models import OrgUnit

    units = OrgUnit.objects.filter(level="village")
    if campaign.scope:
        cond = Q()
        for code in campaign.scope:
            cond |= Q(path__contains=f"/{code}/")
        units = units.filter(cond)
    per_village: dict[str, list[int]] = {}
    for pid, village in campaign.targets.values_list("person_id", "village_id"):
        per_village.setdefault(village, []).append(pid)
    marks = campaign_target_marks(campaign=campaign, person_ids=None, day=day)
    counts = []
    for code, name, zone, parent_level, ur in units.values_list(
            "code", "name", "parent_id", "parent__level", "urban_rural").order_by("code"):
        pids = per_village.get(code, [])
        got = [marks[p] for p in pids if p in marks]
        counts.append(VillageCounts(
            village_code=code, village_name=name,
            zone_code=zone if parent_level == "zone" else "", urban_rural_code=ur or "",
            targets=len(pids),
            attended=sum(1 for m in got if m.attended_on),
            visited=sum(1 for m in got if m.visited_on),
            attended_today=sum(1 for m in got if m.attended_on == day),
            visited_today=sum(1 for m in got if m.visited_on == day),
        ))
    return counts


def campaign_progress(*, campaign, user, day: date | None = None) -> Progress:
    """Attendance and visit rates so far, today's numbers, ranking and the villages lagging.

    Counts come from the stored target list (regenerate it after corrections of the
    register); the acceptance CSV (``campaign_report_results``) evaluates the rule afresh.
    """
    day = day or timezone.localdate()
    defn = campaign.definition()
    results = results_from_counts(campaign_village_counts(campaign=campaign, day=day), defn)
    codes = _user_village_codes(user)
    visible = [r for r in results if codes is None or r.village_code in codes]
    return Progress(
        day=day,
        results=results,
        visible=visible,
        zones=zone_results(visible),
        lagging=lagging_villages(visible, defn),
        targets=sum(r.targets for r in visible),
        attended=sum(r.attended for r in visible),
        visited=sum(r.visited for r in visible),
        attended_today=sum(r.attended_today for r in visible),
        visited_today=sum(r.visited_today for r in visible),
        finished=day > campaign.end,
    )


def campaign_checkin_villages(*, campaign, user) -> set[str] | None:
    """Villages whose targets the user may check in: their scope, plus the villages (or the
    villages of the zones) whose campaign site is the user's facility. None: all."""
    from weiji.orgunits.models import OrgUnit

    codes = _user_village_codes(user)
    if codes is None:
        return None
    facility_id = getattr(user, "facility_id", None)
    if facility_id:
        units = list(campaign.sites.filter(facility_id=facility_id).values_list(
            "orgunit_id", flat=True))
        if units:
            codes |= set(OrgUnit.objects.filter(
                Q(code__in=units) | Q(parent_id__in=units), level="village",
            ).values_list("code", flat=True))
    return codes


def campaign_targets_qs(*, campaign, user, village: str | None = None) -> QuerySet:
    """Stored targets the user may see (optionally one village), with person and village."""
    qs = campaign.targets.select_related("person", "village").order_by(
        "village_id", "person__name", "person__local_id")
    codes = campaign_checkin_villages(campaign=campaign, user=user)
    if codes is not None:
        qs = qs.filter(village_id__in=codes)
    if village:
        qs = qs.filter(village_id=village)
    return qs


def campaign_checkin_search(*, campaign, user, q: str) -> list:
    """Targets matching an ID number (whole or its last 4+ characters) or a name."""
    q = (q or "").strip()
    if not q:
        return []
    qs = campaign_targets_qs(campaign=campaign, user=user)
    if q[:-1].isdigit() and len(q) >= 4:
        number = q.upper()
        cond = Q(person__id_number=number) if len(number) == 18 else Q(
            person__id_number__endswith=number)
    else:
        cond = Q(person__name__contains=q) | Q(person__name_initials__startswith=q.lower())
    return list(qs.filter(cond)[:CHECKIN_SEARCH_LIMIT])


@dataclass(frozen=True, slots=True)
class TargetMark:
    attended_on: date | None
    visited_on: date | None


def campaign_target_marks(*, campaign, person_ids: list[int] | None, day: date | None = None
                          ) -> dict[int, TargetMark]:
    """First qualifying checkup / visit of each target so far (same rule as the report);
    ``person_ids`` None: every stored target."""
    from weiji.records.models import Event

    day = day or timezone.localdate()
    last = min(campaign.end, day)
    attended: dict[int, date] = {}
    visited: dict[int, date] = {}
    if person_ids is None:
        person_ids = list(campaign.targets.values_list("person_id", flat=True))
        wanted = campaign.targets.values("person_id")
    else:
        wanted = person_ids
    rows = Event.objects.filter(
        person_id__in=wanted, date__gte=campaign.start, date__lte=last,
        type__in=("health_checkup", "home_visit"),
    ).values_list("person_id", "type", "date", "facility__kind").order_by("date")
    for pid, type_, day_, kind in rows:
        if type_ == "health_checkup":
            if kind in RESPONSIBLE_FACILITY_KINDS:
                attended.setdefault(pid, day_)
                visited.setdefault(pid, day_)
        else:
            visited.setdefault(pid, day_)
    return {pid: TargetMark(attended.get(pid), visited.get(pid)) for pid in person_ids}


def campaign_acceptance_in_period(*, start: date, end: date) -> list[tuple]:
    """(campaign, per-village acceptance results) of every campaign that ended in
    [start, end] — the campaign part of the quarterly performance score (考核)."""
    from weiji.campaigns.models import Campaign

    return [(c, campaign_report_results(c.definition()))
            for c in Campaign.objects.filter(end__gte=start, end__lte=end).order_by("end", "code")]
