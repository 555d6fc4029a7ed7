"""The migrant exchange inbox: each town's three monthly lists delivered to its health centre.

On the 1st the lists of the previous month are generated per town (the same rows as
``weiji exchange``, restricted to the town's villages) and delivered to the inbox of the
health/community centre serving the town, with a deadline on the 10th. The centre signs
for them; village stations report back which migrants received which basic public
health services; notices not signed for by the deadline are overdue warnings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from weiji.accounts.scope import scope_villages
from weiji.campaigns.models import (
    ExchangeNotice,
    ExchangeReturn,
    ExchangeRow,
    ExchangeStatus,
    ReturnService,
)
from weiji.core.audit import AuditAction, audit_record
from weiji.indicators.exchange import exchange_lists, parse_month
from weiji.orgunits.models import RESPONSIBLE_KINDS, Catchment, OrgUnit
from weiji.registry.models import Person
from weiji.rules.dates import add_months, month_end
from weiji.worklists.facts import district_from_db

DEADLINE_DAY = 10


class ExchangeError(ValueError):
    pass


def exchange_deadline(month_start: date) -> date:
    """The 10th of the month after the month reported on."""
    return add_months(month_start, 1).replace(day=DEADLINE_DAY)


def previous_month(today: date) -> date:
    return add_months(today.replace(day=1), -1)


def _town_facility(town: OrgUnit) -> str | None:
    codes = sorted(Catchment.objects.filter(
        orgunit=town, facility__kind__in=RESPONSIBLE_KINDS).values_list("facility_id", flat=True))
    return codes[0] if codes else None


@transaction.atomic
def exchange_deliver(*, month: str | date, user=None) -> list[ExchangeNotice]:
    """Generate (or regenerate) every town's notice for ``month``; idempotent.

    Regenerating replaces the rows and keeps the notice's status and returns.
    """
    first, last = parse_month(month) if isinstance(month, str) else (month, month_end(month))
    lists = exchange_lists(district_from_db(on=last), month_start=first, month_end=last)
    towns = {t.code: t for t in OrgUnit.objects.filter(level="town")}
    village_town = {}
    for code, path in OrgUnit.objects.filter(level="village").values_list("code", "path"):
        for part in path.strip("/").split("/"):
            if part in towns:
                village_town[code] = part
    person_ids = dict(Person.objects.filter(
        local_id__in={r["person_local_id"] for rows in lists.files().values() for r in rows},
    ).values_list("local_id", "pk"))
    notices = []
    for town_code, town in sorted(towns.items()):
        rows = []
        counts = {}
        for name, file_rows in lists.files().items():
            mine = [r for r in file_rows if village_town.get(r["village_code"]) == town_code]
            counts[name] = len(mine)
            for r in mine:
                rows.append(ExchangeRow(
                    list_name=name, person_id=person_ids[r["person_local_id"]],
                    village_id=r["village_code"], event=r.get("event", ""),
                    event_date=date.fromisoformat(r["event_date"]) if r.get("event_date") else None,
                ))
        notice, created = ExchangeNotice.objects.get_or_create(
            month=first, town=town,
            defaults={"deadline": exchange_deadline(first), "facility_id": _town_facility(town),
                      "counts": counts},
        )
        if not created:
            notice.counts = counts
            notice.facility_id = notice.facility_id or _town_facility(town)
            notice.save(update_fields=["counts", "facility"])
            notice.rows.all().delete()
        for row in rows:
            row.notice = notice
        ExchangeRow.objects.bulk_create(rows)
        audit_record(user=user, action=AuditAction.CREATE if created else AuditAction.UPDATE,
                     obj=notice, detail={"month": first.isoformat(), "counts": counts})
        notices.append(notice)
    return notices


def exchange_receive(*, notice: ExchangeNotice, user, request=None) -> ExchangeNotice:
    """The health centre signs for the notice (签收)."""
    if notice.status == ExchangeStatus.SENT:
        notice.status = ExchangeStatus.RECEIVED
        notice.received_at = timezone.now()
        notice.received_by = user
        notice.save(update_fields=["status", "received_at", "received_by"])
        audit_record(user=user, action=AuditAction.UPDATE, obj=notice, request=request,
                     detail={"status": notice.status})
    return notice


@transaction.atomic
def exchange_return_record(
    *, notice: ExchangeNotice, person: Person, service: str, service_date: date, user,
    note: str = "", request=None,
) -> ExchangeReturn:
    """A village station reports that a listed migrant received a service (反馈)."""
    if service not in ReturnService.values:
        raise ExchangeError("请选择服务项目 / choose a service")
    if not notice.rows.filter(person=person).exists():
        raise ExchangeError("此人不在本期通报名单中 / this person is not on the notice")
    if service_date < notice.month or service_date > timezone.localdate():
        raise ExchangeError("服务日期应在通报月份之后且不晚于今天 / the service date must be "
                            "from the month reported on up to today")
    entry = ExchangeReturn.objects.create(
        notice=notice, person=person, service=service, service_date=service_date,
        note=note.strip()[:200],
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    if notice.returned_at is None:
        notice.returned_at = timezone.now()
        notice.status = ExchangeStatus.RETURNED
        notice.save(update_fields=["returned_at", "status"])
    audit_record(user=user, action=AuditAction.CREATE, obj=entry, request=request,
                 detail={"notice": notice.pk, "person": person.pk, "service": service})
    return entry


def exchange_notices(*, user):
    """Notices of towns with a village in the user's scope (a facility: its own too)."""
    qs = ExchangeNotice.objects.select_related("town", "facility").order_by("-month", "town")
    if getattr(user, "is_superuser", False):
        return qs
    paths = scope_villages(user).values_list("path", flat=True)
    towns = {part for path in paths for part in path.strip("/").split("/")}
    facility_id = getattr(user, "facility_id", None)
    from django.db.models import Q

    cond = Q(town_id__in=towns)
    if facility_id:
        cond |= Q(facility_id=facility_id)
    return qs.filter(cond)


@dataclass(frozen=True, slots=True)
class ExchangeWarning:
    town_code: str
    town_name: str
    month: date
    deadline: date
    reason: str


def exchange_warnings(*, user, today: date | None = None) -> list[ExchangeWarning]:
    """Overdue exchanges for the town dashboard: last month's notice missing after the 10th,
    or a notice not signed for by its deadline."""
    today = today or timezone.localdate()
    warnings = []
    for notice in exchange_notices(user=user).filter(status=ExchangeStatus.SENT,
                                                     deadline__lt=today):
        warnings.append(ExchangeWarning(notice.town_id, notice.town.name, notice.month,
                                        notice.deadline, "逾期未签收 / not signed for by the deadline"))
    month = previous_month(today)
    deadline = exchange_deadline(month)
    if today > deadline:
        have = set(ExchangeNotice.objects.filter(month=month).values_list("town_id", flat=True))
        towns = OrgUnit.objects.filter(level="town").exclude(code__in=have)
        if not getattr(user, "is_superuser", False):
            paths = scope_villages(user).values_list("path", flat=True)
            codes = {part for path in paths for part in path.strip("/").split("/")}
            towns = towns.filter(code__in=codes)
        for town in towns:
            warnings.append(ExchangeWarning(town.code, town.name, month, deadline,
                                            "逾期未通报 / the lists were not sent"))
    return sorted(warnings, key=lambda w: (w.month, w.town_code))
