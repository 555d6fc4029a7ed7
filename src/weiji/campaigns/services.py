"""Campaign writes: definitions, target lists, check-in, home visits and the daily upload.

A check-in and a home visit are ordinary ``health_checkup`` / ``home_visit`` records
(``weiji.records.recording.event_record``): one entry, shared with every role, audited.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from weiji.campaigns.acceptance import campaign_targets
from weiji.campaigns.definition import CampaignDefinition
from weiji.campaigns.models import Campaign, CampaignSite, CampaignTarget
from weiji.campaigns.selectors import campaign_start_facts, campaign_target_marks
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
            "reminder_days_before_end": definition.reminder_days_before_end,
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


# --- appointment reminders (预约提醒) through the messaging outbox ----------------------

REMINDER_START, REMINDER_CLOSING = "campaign_start", "campaign_closing"


def campaign_reminder_days(*, campaign: Campaign, today: date) -> dict[str, date]:
    """step -> day of the campaign's reminders still to come as of ``today``.

    One when the campaign starts (caught up today if planning starts late), and one
    ``reminder_days_before_end`` days before the end (0: none). The start reminder is no
    longer planned once the closing one is due.
    """
    if today > campaign.end:
        return {}
    n = campaign.reminder_days_before_end
    closing = campaign.end - timedelta(days=n) if n else None
    if closing is not None and closing <= campaign.start:
        closing = None
    days: dict[str, date] = {}
    if closing is None or today < closing:
        days[REMINDER_START] = max(campaign.start, today)
    if closing is not None:
        days[REMINDER_CLOSING] = max(closing, today)
    return days


def campaign_reminders_plan(*, campaign: Campaign, now: datetime | None = None,
                            targets: QuerySet | None = None) -> dict:
    """Queue one appointment reminder per target (of ``targets``, default all) and step.

    Only targets with a mobile number (or a WeChat binding), alive, and who have not yet
    come to a site nor been visited. Idempotent: one message per (target, step), never
    a second one; a queued reminder whose day changed (the campaign's dates were edited)
    is moved. Sending re-checks everything (quiet hours, one message a day, opt-out, the
    target still not come, the campaign not ended) and sets ``CampaignTarget.reminded_at``.
    Returns counts.
    """
    from weiji.messaging.models import Message, MessageStatus
    from weiji.messaging.sending import MOBILE, bulk_insert_new, bulk_set, send_time

    now = now or timezone.now()
    today = timezone.localtime(now).date()
    counts = {"created": 0, "moved": 0, "skipped_attended": 0, "skipped_no_phone": 0}
    days = campaign_reminder_days(campaign=campaign, today=today)
    if not days:
        return counts
    wanted = {step: (max(send_time(day), now) if day == today else send_time(day))
              for step, day in days.items()}
    qs = (targets if targets is not None else campaign.targets.all()).filter(
        campaign=campaign, person__death_date__isnull=True,
        person__merged_into__isnull=True)
    rows = list(qs.values_list("pk", "person_id", "village_id", "person__phone",
                               "person__wechat_binding__openid"))
    marks = campaign_target_marks(campaign=campaign, day=today,
                                  person_ids=[r[1] for r in rows])
    existing = {(m.campaign_target_id, m.step): m for m in Message.objects.filter(
        campaign_target_id__in=[r[0] for r in rows]).only(
        "id", "campaign_target_id", "step", "status", "planned_at", "next_attempt_at")}
    create, move = [], []
    for target_id, person_id, village_id, phone, openid in rows:
        mark = marks.get(person_id)
        if mark and (mark.attended_on or mark.visited_on):
            counts["skipped_attended"] += 1
            continue
        if not MOBILE.match((phone or "").strip()) and not openid:
            counts["skipped_no_phone"] += 1
            continue
        for step, at in wanted.items():
            msg = existing.get((target_id, step))
            if msg is None:
                create.append(Message(
                    person_id=person_id, campaign_target_id=target_id, service="campaign",
                    village_id=village_id, step=step, planned_at=at, next_attempt_at=at))
            elif msg.status == MessageStatus.QUEUED and \
                    timezone.localdate(msg.planned_at) != timezone.localdate(at) and \
                    not (timezone.localdate(at) == today and msg.planned_at <= now):
                msg.planned_at = msg.next_attempt_at = at
                move.append(msg)
    with transaction.atomic():
        for start in range(0, len(create), 2000):
            counts["created"] += bulk_insert_new(create[start:start + 2000])
        bulk_set(move, ["planned_at", "next_attempt_at"])
    counts["moved"] = len(move)
    return counts


def campaign_reminders_plan_running(*, now: datetime | None = None) -> dict[str, dict]:
    """Plan the appointment reminders of every running campaign (the messaging plan job)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    return {c.code: campaign_reminders_plan(campaign=c, now=now)
            for c in Campaign.objects.filter(Q(start__lte=today) & Q(end__gte=today))}
