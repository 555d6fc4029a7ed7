"""Campaign writes: definitions, target lists, check-in, home visits and the daily upload.

A check-in and a home visit are ordinary ``health_checkup`` / ``home_visit`` records
(``weiji.records.recording.event_record``): one entry, shared with every role, audited.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from weiji.campaigns.acceptance import campaign_targets
from weiji.campaigns.definition import CampaignDefinition
from weiji.campaigns.models import Campaign, CampaignSite, CampaignTarget
from weiji.campaigns.selectors import campaign_start_facts
from weiji.core.audit import AuditAction, audit_record
from weiji.orgunits.models import Facility, OrgUnit
from weiji.records.models import Event, EventType
from weiji.records.recording import EventError, event_record
from weiji.registry.models import Person


class CampaignError(ValueError):
    """A campaign operation that cannot be done; the message is Chinese / English.

    ``field`` names the input at fault (``person``, ``date``, …) when there is one.
    """

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


@transaction.atomic
def campaign_import(*, definition: CampaignDefinition, user=None, request=None) -> Campaign:
    """Create or update the campaign with the definition's code (YAML import and the form)."""
    for unit_code, facility_code in definition.sites.items():
        if not OrgUnit.objects.filter(code=unit_code, level__in=("zone", "village")).exists():
            raise CampaignError(f"sites: {unit_code} 不是已登记的管区或村 / "
                                f"{unit_code} is not a known zone or village")
        if not Facility.objects.filter(code=facility_code).exists():
            raise CampaignError(f"sites.{unit_code}: 机构 {facility_code} 不存在 / "
                                f"facility {facility_code} does not exist")
    for code in definition.scope:
        if not OrgUnit.objects.filter(code=code).exists():
            raise CampaignError(f"scope: {code} 不是已登记的单位 / {code} is not a known unit")
    params = {k: (v.isoformat() if isinstance(v, date) else v)
              for k, v in definition.target_params.items()}
    rural, urban = definition.thresholds["rural"], definition.thresholds["urban"]
    campaign, created = Campaign.objects.update_or_create(
        code=definition.code,
        defaults={
            "name": definition.name, "start": definition.start, "end": definition.end,
            "target_rule": definition.target_rule, "target_params": params,
            "rural_attendance": rural.attendance, "rural_visit": rural.visit,
            "urban_attendance": urban.attendance, "urban_visit": urban.visit,
            "services": list(definition.services), "scope": list(definition.scope),
        },
    )
    if created and user is not None and getattr(user, "is_authenticated", False):
        campaign.created_by = user
        campaign.save(update_fields=["created_by"])
    campaign.sites.all().delete()
    CampaignSite.objects.bulk_create(
        CampaignSite(campaign=campaign, orgunit_id=u, facility_id=f)
        for u, f in sorted(definition.sites.items())
    )
    audit_record(user=user, action=AuditAction.CREATE if created else AuditAction.UPDATE,
                 obj=campaign, request=request, detail={"code": campaign.code})
    return campaign


@transaction.atomic
def campaign_targets_generate(*, campaign: Campaign) -> int:
    """(Re)build the stored target list from the rule on the start date; idempotent.

    Persons who no longer match are removed, new ones added; reminder marks are kept.
    Returns the number of targets.
    """
    defn = campaign.definition()
    per_village = campaign_targets(campaign_start_facts(defn), defn)
    wanted = {p.local_id: code for code, persons in per_village.items() for p in persons}
    ids = dict(Person.objects.filter(local_id__in=wanted).values_list("local_id", "pk"))
    existing = {t.person_id: t for t in campaign.targets.all()}
    keep = set()
    new = []
    for local_id, village in wanted.items():
        pk = ids.get(local_id)
        if pk is None:
            continue
        keep.add(pk)
        row = existing.get(pk)
        if row is None:
            new.append(CampaignTarget(campaign=campaign, person_id=pk, village_id=village))
        elif row.village_id != village:
            row.village_id = village
            row.save(update_fields=["village"])
    CampaignTarget.objects.bulk_create(new, batch_size=1000)
    campaign.targets.exclude(person_id__in=keep).delete()
    return len(keep)


def _target(campaign: Campaign, person: Person) -> CampaignTarget:
    target = campaign.targets.filter(person=person).first()
    if target is None:
        raise CampaignError(f"{person.name} 不是本次活动的服务对象 / "
                            "this person is not a target of the campaign", "person")
    return target


def _check_day(campaign: Campaign, day: date) -> None:
    if not campaign.start <= day <= campaign.end:
        raise CampaignError(
            f"日期 {day:%Y-%m-%d} 不在活动期间 {campaign.start:%Y-%m-%d}–{campaign.end:%Y-%m-%d} / "
            "the date is outside the campaign", "date")


def _event_error(exc: EventError) -> CampaignError:
    field = next(iter(exc.errors), "")
    return CampaignError("; ".join(exc.errors.values()), field)


@transaction.atomic
def campaign_checkin(
    *, campaign: Campaign, person: Person, facility: Facility, user, day: date | None = None,
    request=None,
) -> Event:
    """Record a target's checkup at the site (a ``health_checkup`` event); once per day."""
    day = day or timezone.localdate()
    _check_day(campaign, day)
    _target(campaign, person)
    existing = Event.objects.filter(person=person, type=EventType.HEALTH_CHECKUP, date=day,
                                    facility=facility).first()
    if existing is not None:
        return existing
    try:
        return event_record(person=person, type=EventType.HEALTH_CHECKUP, date=day, user=user,
                            facility=facility, performed_by=str(user)[:60], request=request)
    except EventError as exc:
        raise _event_error(exc) from None


@transaction.atomic
def campaign_home_visit(
    *, campaign: Campaign, person: Person, visited_by: str, user, day: date | None = None,
    request=None,
) -> Event:
    """Record a home visit (入户访查) to a target who cannot come: who visited, who signed."""
    day = day or timezone.localdate()
    _check_day(campaign, day)
    _target(campaign, person)
    if not visited_by.strip():
        raise CampaignError("请填写访查人 / enter who made the visit")
    existing = Event.objects.filter(person=person, type=EventType.HOME_VISIT, date=day).first()
    if existing is not None:
        return existing
    try:
        return event_record(person=person, type=EventType.HOME_VISIT, date=day, user=user,
                            performed_by=visited_by, request=request)
    except EventError as exc:
        raise _event_error(exc) from None
