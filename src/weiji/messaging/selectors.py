"""Reads for messaging: current templates, contacts of the responsible worker, statistics."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from weiji.accounts.models import Role, User
from weiji.messaging.models import Message, MessageStatus, MessageTemplate, OptOut
from weiji.messaging.rendering import (
    CAMPAIGN_PREFIX,
    DEFAULT_BODIES,
    DEFAULT_CAMPAIGN_BODIES,
    is_campaign_service,
)
from weiji.orgunits.models import Facility, OrgUnit
from weiji.worklists.servicemap import service_record


def service_label(service: str) -> str:
    if service == "campaign":
        return "集中服务活动预约提醒"
    record = service_record(service)
    return record.label if record else service


def template_current(*, service: str, channel: str) -> MessageTemplate | None:
    """The newest version for the service, else the newest "*" (any service) version.

    Campaign reminders ("campaign:<code>") fall back to "campaign:*", never to "*".
    """
    fallback = CAMPAIGN_PREFIX + "*" if is_campaign_service(service) else "*"
    for name in (service, fallback):
        tpl = (MessageTemplate.objects.filter(service=name, channel=channel)
               .order_by("-version").first())
        if tpl is not None:
            return tpl
    return None


def template_body(template: MessageTemplate | None, channel: str, *,
                  campaign: bool = False) -> str:
    """The body to send: the template's, else the shipped default (service or campaign)."""
    if template is not None:
        return template.body
    return (DEFAULT_CAMPAIGN_BODIES if campaign else DEFAULT_BODIES)[channel]


def templates_current_map(channel: str) -> dict[str, MessageTemplate]:
    """service -> newest template version, for one channel."""
    current: dict[str, MessageTemplate] = {}
    for tpl in MessageTemplate.objects.filter(channel=channel).order_by("service", "-version"):
        current.setdefault(tpl.service, tpl)
    return current


def worker_phones(village_codes: Iterable[str]) -> dict[str, str]:
    """village code -> phone of an active village worker bound to it (lowest id)."""
    phones: dict[str, str] = {}
    rows = (User.objects.filter(role=Role.VILLAGE_WORKER, is_active=True,
                                orgunit_id__in=set(village_codes))
            .exclude(phone="").order_by("id").values_list("orgunit_id", "phone"))
    for code, phone in rows:
        phones.setdefault(code, phone)
    return phones


def facility_contacts(codes: Iterable[str]) -> dict[str, tuple[str, str]]:
    """facility code -> (name, phone of an active facility staff member or '')."""
    codes = set(codes)
    names = dict(Facility.objects.filter(code__in=codes).values_list("code", "name"))
    phones: dict[str, str] = {}
    rows = (User.objects.filter(role=Role.FACILITY_STAFF, is_active=True, facility_id__in=codes)
            .exclude(phone="").order_by("id").values_list("facility_id", "phone"))
    for code, phone in rows:
        phones.setdefault(code, phone)
    return {c: (names[c], phones.get(c, "")) for c in names}


def unit_names(codes: Iterable[str]) -> dict[str, str]:
    return dict(OrgUnit.objects.filter(code__in=set(codes)).values_list("code", "name"))


def optouts_active(*, person_ids: Iterable[int] = (), phones: Iterable[str] = ()
                   ) -> tuple[set[int], set[str]]:
    """Which of these persons and phone numbers have opted out (退订)."""
    rows = OptOut.objects.filter(revoked_at__isnull=True).filter(
        Q(person_id__in=set(person_ids)) | Q(phone__in={p for p in phones if p})
    ).values_list("person_id", "phone")
    persons, numbers = set(), set()
    for pid, phone in rows:
        if pid:
            persons.add(pid)
        if phone:
            numbers.add(phone)
    return persons, numbers


def person_optout(*, person_id: int, phone: str) -> OptOut | None:
    q = Q(person_id=person_id)
    if phone:
        q |= Q(phone=phone)
    return OptOut.objects.filter(q, revoked_at__isnull=True).order_by("-created_at").first()


def person_messages(*, person_id: int) -> QuerySet[Message]:
    return (Message.objects.filter(person_id=person_id)
            .prefetch_related("events").order_by("-planned_at", "-id"))


def outbox_list(*, villages: QuerySet | None, status: str = "", service: str = "",
                village: str = "") -> QuerySet[Message]:
    qs = Message.objects.exclude(step="test").select_related("person", "village")
    if villages is not None:
        qs = qs.filter(village__in=villages)
    if status:
        qs = qs.filter(status=status)
    if service:
        qs = qs.filter(service=service)
    if village:
        qs = qs.filter(village_id=village)
    return qs.order_by("-next_attempt_at", "-id")


def delivery_stats(*, villages: QuerySet | None, since: datetime | None = None) -> list[dict]:
    """One row per (village, service): counts per status and the delivery rate."""
    qs = Message.objects.exclude(step="test")
    if villages is not None:
        qs = qs.filter(village__in=villages)
    if since is not None:
        qs = qs.filter(planned_at__gte=since)
    counts = {s: Count("id", filter=Q(status=s)) for s in MessageStatus.values}
    rows = list(qs.values("village_id", "village__name", "service")
                .annotate(total=Count("id"), **counts).order_by("village_id", "service"))
    for row in rows:
        out = row[MessageStatus.SENT] + row[MessageStatus.DELIVERED] + row[MessageStatus.FAILED]
        row["service_label"] = service_label(row["service"])
        row["delivery_rate"] = (row[MessageStatus.DELIVERED] / out) if out else None
    return rows
