"""Sending the outbox: claim → provider call → record, safe to retry, never twice.

1. **Claim** (one transaction): due ``queued`` messages are re-checked (item still open and
   inside its window — or, for a campaign appointment reminder, the campaign still running
   and the target not yet come nor visited —, person alive and not opted out, not in quiet hours, at most one
   message per person per day, the per-number cap); the survivors become ``sending`` with
   their rendered text, ``claimed_at`` and ``send_day`` — committed *before* any provider
   call.
2. **Deliver** (no transaction): each claimed message goes to its provider with its
   idempotency key (``Message.key``) through a thread pool and a per-provider rate limit.
3. **Record** (one transaction): ``sent`` with the provider id, or back to ``queued``
   (retry later / not today), or ``failed``. A timeout leaves the message ``sending``.

A message still ``sending`` after the lease (crash between 2 and 3, timeout, database
gone) is **recovered**: the provider is asked whether it received that key
(:meth:`Provider.lookup`); if so it is marked sent, otherwise it is sent again with the
same key. WeChat de-duplicates the key itself for 10 minutes and has no lookup.
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from weiji.messaging.models import Message, MessageEvent, MessageStatus, WeChatBinding
from weiji.messaging.providers import (
    ErrorKind,
    OutcomeUnknown,
    Outgoing,
    ProviderError,
    get_provider,
    provider_for_channel,
    rate_limiter,
)
from weiji.messaging.rendering import (
    CAMPAIGN_PREFIX,
    CAMPAIGN_VARIABLES,
    VARIABLES,
    TemplateError,
    format_dates,
    format_due_date,
    render,
    template_variables,
)
from weiji.messaging.selectors import (
    facility_contacts,
    optouts_active,
    service_label,
    template_body,
    templates_current_map,
    unit_names,
    worker_phones,
)
from weiji.orgunits.models import OrgUnit
from weiji.registry.models import Person
from weiji.worklists.models import ItemState, ItemStatus, ServiceItem

log = logging.getLogger(__name__)
MOBILE = re.compile(r"^1[3-9]\d{9}$")


@dataclass
class SendStats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    deferred: int = 0
    failed: int = 0
    expired: int = 0
    unknown: int = 0
    recovered: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: SendStats) -> None:
        for name in ("claimed", "sent", "retried", "deferred", "failed", "expired", "unknown",
                     "recovered"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors)


# --- time ------------------------------------------------------------------------------

def _hhmm(text: str) -> time:
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))


def quiet_hours() -> tuple[time, time]:
    start, end = settings.WEIJI_MESSAGING_QUIET_HOURS.split("-")
    return _hhmm(start), _hhmm(end)


def local_at(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def send_time(day: date) -> datetime:
    return local_at(day, _hhmm(settings.WEIJI_MESSAGING_SEND_AT))


def quiet_until(now: datetime) -> datetime | None:
    """When the quiet period holding ``now`` ends, or None outside quiet hours."""
    start, end = quiet_hours()
    local = timezone.localtime(now)
    t = local.time()
    if start > end:  # over midnight, e.g. 21:00-08:00
        if t >= start:
            return local_at(local.date() + timedelta(days=1), end)
        if t < end:
            return local_at(local.date(), end)
        return None
    if start <= t < end:
        return local_at(local.date(), end)
    return None


def _tomorrow(now: datetime) -> datetime:
    return send_time(timezone.localtime(now).date() + timedelta(days=1))


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(6 * 3600, 60 * 2 ** max(0, attempts - 1)))


# --- events ----------------------------------------------------------------------------

def _event(msg: Message, now: datetime, *, detail: str = "") -> MessageEvent:
    return MessageEvent(
        message_id=msg.pk, at=now, status=msg.status, provider=msg.provider,
        provider_message_id=msg.provider_message_id, error_code=msg.error_code,
        detail=detail[:300],
    )


def _outgoing(msg: Message) -> Outgoing:
    template_ids = msg.template.provider_template_ids if msg.template_id else {}
    return Outgoing(key=str(msg.key), to=msg.to, body=msg.body, params=_ordered_params(msg),
                    template_id=str(template_ids.get(msg.provider, "")))


def _ordered_params(msg: Message) -> dict[str, str]:
    """The params in template order (Tencent's {1}…{n}); PostgreSQL's jsonb does not keep
    the order in which they were stored, so a resend after recovery re-derives it."""
    body = template_body(msg.template if msg.template_id else None, msg.channel,
                         campaign=msg.service == "campaign")
    try:
        names = template_variables(body, VARIABLES + CAMPAIGN_VARIABLES)
    except TemplateError:
        names = []
    params = {n: msg.params[n] for n in names if n in msg.params}
    params.update({k: v for k, v in msg.params.items() if k not in params})
    return params


def _prep(field, value):
    """A value as the database wants it (plain strings, numbers and NULL pass through)."""
    if value is None:
        return None
    if isinstance(value, str | int) and field.get_internal_type() not in _TYPED:
        return value
    return field.get_db_prep_save(value, connection)


_TYPED = {"JSONField", "UUIDField"}


def bulk_set(msgs: list[Message], fields: list[str]) -> None:
    """Write these fields of these messages: one prepared UPDATE run with executemany.

    (``QuerySet.bulk_update`` builds a CASE expression per field and row, which costs
    seconds per batch of 500; values are prepared by the model fields exactly as save() does.)
    """
    if not msgs:
        return
    meta = Message._meta
    qn = connection.ops.quote_name
    cols = [meta.get_field(name) for name in fields]
    sql = (f"UPDATE {qn(meta.db_table)} SET "
           + ", ".join(f"{qn(c.column)} = %s" for c in cols)
           + f" WHERE {qn(meta.pk.column)} = %s")
    rows = [[_prep(c, getattr(m, c.attname)) for c in cols] + [m.pk] for m in msgs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def bulk_insert_new(msgs: list[Message]) -> int:
    """Insert messages, skipping those whose (item, step) exists; return how many were new.

    One prepared ``INSERT … ON CONFLICT DO NOTHING`` run with executemany (SQLite ≥ 3.24 and
    PostgreSQL); values are prepared by the model fields as save() would.
    """
    if not msgs:
        return 0
    meta = Message._meta
    qn = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    sql = (f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT DO NOTHING")
    rows = [[_prep(f, f.pre_save(m, True)) for f in fields] for m in msgs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        return max(cursor.rowcount, 0)


# --- claim -----------------------------------------------------------------------------

class _Context:
    """Everything the checks of one batch need, loaded in a few queries."""

    def __init__(self, msgs: list[Message], now: datetime) -> None:
        self.today = timezone.localtime(now).date()
        self.items = ServiceItem.objects.in_bulk({m.item_id for m in msgs if m.item_id})
        self.persons = Person.objects.only(
            "id", "name", "phone", "death_date", "merged_into_id", "village_id"
        ).in_bulk({m.person_id for m in msgs if m.person_id})
        phones = {p.phone for p in self.persons.values()} | {m.to for m in msgs if m.to}
        self.optout_persons, self.optout_phones = optouts_active(
            person_ids=self.persons.keys(), phones=phones)
        self.openids = dict(WeChatBinding.objects.filter(
            person_id__in=self.persons.keys()).values_list("person_id", "openid"))
        self.sent_today = set(Message.objects.filter(
            person_id__in=self.persons.keys(), send_day=self.today).values_list(
            "person_id", flat=True))
        day_start = local_at(self.today, time(0, 0))
        self.per_number: dict[str, int] = {}
        for to in Message.objects.filter(
            to__in=phones, sent_at__gte=day_start,
            status__in=(MessageStatus.SENT, MessageStatus.DELIVERED),
        ).values_list("to", flat=True):
            self.per_number[to] = self.per_number.get(to, 0) + 1
        self._load_campaigns(msgs)
        villages = {i.village_id for i in self.items.values()} | {
            t.village_id for t in self.targets.values()}
        self.worker_phones = worker_phones(villages)
        self.facilities = facility_contacts(
            {i.responsible for i in self.items.values() if i.responsible}
            | set(self.target_sites.values()))
        self.units = unit_names(villages)
        self.templates = {c: templates_current_map(c) for c in ("sms", "wechat")}

    def _load_campaigns(self, msgs: list[Message]) -> None:
        """Targets of campaign reminders, whether each has come/been visited, her site."""
        from weiji.campaigns.models import CampaignTarget
        from weiji.campaigns.selectors import campaign_target_marks

        self.targets = CampaignTarget.objects.select_related("campaign").in_bulk(
            {m.campaign_target_id for m in msgs if m.campaign_target_id})
        self.target_done: set[int] = set()
        self.target_sites: dict[int, str] = {}
        by_campaign: dict[int, list] = {}
        for t in self.targets.values():
            by_campaign.setdefault(t.campaign_id, []).append(t)
        parents = dict(OrgUnit.objects.filter(
            code__in={t.village_id for t in self.targets.values()}).values_list(
            "code", "parent_id"))
        for targets in by_campaign.values():
            campaign = targets[0].campaign
            marks = campaign_target_marks(campaign=campaign, day=self.today,
                                          person_ids=[t.person_id for t in targets])
            sites = dict(campaign.sites.values_list("orgunit_id", "facility_id"))
            for t in targets:
                mark = marks.get(t.person_id)
                if mark and (mark.attended_on or mark.visited_on):
                    self.target_done.add(t.pk)
                site = sites.get(t.village_id) or sites.get(parents.get(t.village_id) or "")
                if site:
                    self.target_sites[t.pk] = site

    def template(self, service: str, channel: str):
        current = self.templates[channel]
        return current.get(service) or current.get("*")

    def campaign_template(self, code: str, channel: str):
        """The campaign's own template, else "campaign:*", else None (the shipped default)."""
        current = self.templates[channel]
        return current.get(CAMPAIGN_PREFIX + code) or current.get(CAMPAIGN_PREFIX + "*")

    def campaign_values(self, target, person: Person) -> dict[str, str]:
        campaign = target.campaign
        site = self.facilities.get(self.target_sites.get(target.pk, ""))
        phone = self.worker_phones.get(target.village_id) or (site[1] if site else "")
        return {"name": person.name, "campaign": campaign.name,
                "site": site[0] if site else "", "dates": format_dates(campaign.start,
                                                                       campaign.end),
                "phone": phone}

    def values(self, item: ServiceItem, person: Person) -> dict[str, str]:
        facility = self.facilities.get(item.responsible)
        place = facility[0] if facility else self.units.get(item.village_id, "")
        phone = self.worker_phones.get(item.village_id) or (facility[1] if facility else "")
        return {"name": person.name, "service": service_label(item.service),
                "due_date": format_due_date(item.due_until), "place": place, "phone": phone}


def _check(msg: Message, ctx: _Context, now: datetime) -> tuple[str, str, str]:
    """(action, code, detail): action is expire | defer | fail | send."""
    if msg.step == "test":
        return "send", "", ""
    if msg.campaign_target_id or msg.service == "campaign":
        return _check_campaign(msg, ctx)
    item = ctx.items.get(msg.item_id)
    if item is None or item.state != ItemState.OPEN:
        state = item.state if item else "missing"
        return "expire", f"weiji:item_{state}", "服务项已完成或移出 / the item is no longer open"
    if item.status == ItemStatus.LEAD or \
            item.service in settings.WEIJI_REMINDER_EXCLUDED_SERVICES:
        return "expire", "weiji:lead", "线索不发送给居民 / leads are not sent to residents"
    if ctx.today > item.due_until:
        return "expire", "weiji:window_passed", "服务期已过 / the service window has passed"
    return _check_person(ctx.persons.get(msg.person_id), ctx)


def _check_campaign(msg: Message, ctx: _Context) -> tuple[str, str, str]:
    """A campaign appointment reminder: the campaign still runs, she has not come yet."""
    target = ctx.targets.get(msg.campaign_target_id)
    if target is None:
        return "expire", "weiji:target_removed", \
            "已不在活动服务对象名单中 / no longer a target of the campaign"
    if ctx.today > target.campaign.end:
        return "expire", "weiji:campaign_ended", "活动已结束 / the campaign has ended"
    if target.pk in ctx.target_done:
        return "expire", "weiji:campaign_attended", \
            "已进站或已入户访查 / already came to the site or was visited"
    return _check_person(ctx.persons.get(msg.person_id), ctx)


def _check_person(person: Person | None, ctx: _Context) -> tuple[str, str, str]:
    if person is None or person.death_date or person.merged_into_id:
        return "expire", "weiji:person_inactive", "居民已死亡或已合并 / deceased or merged"
    if person.id in ctx.optout_persons or person.phone in ctx.optout_phones:
        return "expire", "weiji:opted_out", "居民已退订 / the resident opted out"
    return "send", "", ""


def _claim(ids: list[int] | None, now: datetime, limit: int, stats: SendStats
           ) -> list[Message]:
    with transaction.atomic():
        qs = Message.objects.filter(status=MessageStatus.QUEUED, next_attempt_at__lte=now)
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        qs = qs.order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        msgs = list(qs[:limit])
        if not msgs:
            return []
        quiet_end = quiet_until(now)
        ctx = _Context(msgs, now)
        claimed, changed, events = [], [], []
        tomorrow = _tomorrow(now)
        for msg in msgs:
            old_code = msg.error_code
            action, code, detail = _check(msg, ctx, now)
            if action == "send" and quiet_end and msg.step != "test":
                msg.next_attempt_at = quiet_end
                changed.append(msg)
                continue
            person = ctx.persons.get(msg.person_id)
            if action == "send" and msg.step != "test":
                provider_name = provider_for_channel("wechat")
                if provider_name and person.id in ctx.openids:
                    msg.channel, msg.to = "wechat", ctx.openids[person.id]
                else:
                    msg.channel, msg.to = "sms", person.phone.strip()
                    provider_name = provider_for_channel("sms")
                    if not MOBILE.match(msg.to):
                        action, code, detail = "expire", "weiji:no_phone", \
                            "居民没有有效手机号 / no valid mobile number"
                msg.provider = provider_name
            if action == "send" and msg.step != "test":
                if person.id in ctx.sent_today:
                    action, code, detail = "defer", "weiji:one_per_day", \
                        "今天已给此人发过消息 / already messaged today"
                elif msg.channel == "sms" and ctx.per_number.get(msg.to, 0) >= \
                        settings.WEIJI_MESSAGING_PER_NUMBER_DAILY:
                    action, code, detail = "defer", "weiji:number_daily_cap", \
                        "此号码今日条数已满 / daily cap for this number"
            if action == "send" and msg.step != "test":
                target = ctx.targets.get(msg.campaign_target_id)
                if target is not None:
                    values = ctx.campaign_values(target, person)
                    template = ctx.campaign_template(target.campaign.code, msg.channel)
                    variables, place = CAMPAIGN_VARIABLES, values["site"]
                else:
                    values = ctx.values(ctx.items[msg.item_id], person)
                    template = ctx.template(msg.service, msg.channel)
                    variables, place = VARIABLES, values["place"]
                if not values["phone"] or not place:
                    action, code, detail = "defer", "weiji:no_worker_contact", \
                        "未配置责任人电话或服务地点 / the responsible worker has no phone or place"
                else:
                    msg.template = template
                    provider = get_provider(msg.provider)
                    try:
                        rendered = render(
                            template_body(template, msg.channel, campaign=target is not None),
                            values, variables=variables,
                            variable_max_length=provider.variable_max_length,
                            body_max_length=provider.body_max_length)
                        msg.body, msg.params = rendered.body, rendered.params
                    except TemplateError as exc:
                        action, code, detail = "fail", "weiji:template_limit", str(exc)
            msg.error_code = code
            if action == "expire":
                msg.status, msg.finished_at = MessageStatus.EXPIRED, now
                stats.expired += 1
            elif action == "fail":
                msg.status, msg.finished_at = MessageStatus.FAILED, now
                stats.failed += 1
            elif action == "defer":
                msg.next_attempt_at = tomorrow
                stats.deferred += 1
            else:
                msg.status, msg.claimed_at, msg.attempts = MessageStatus.SENDING, now, \
                    msg.attempts + 1
                if msg.person_id:
                    msg.send_day = ctx.today
                    ctx.sent_today.add(msg.person_id)
                if msg.channel == "sms":
                    ctx.per_number[msg.to] = ctx.per_number.get(msg.to, 0) + 1
                claimed.append(msg)
            changed.append(msg)
            if action != "defer" or code != old_code:
                events.append(_event(msg, now, detail=detail))
        bulk_set(changed, [
            "status", "channel", "provider", "to", "template", "body", "params",
            "next_attempt_at", "claimed_at", "attempts", "send_day", "finished_at",
            "error_code",
        ])
        MessageEvent.objects.bulk_create(events, batch_size=1000)
    stats.claimed += len(claimed)
    return claimed


# --- deliver ---------------------------------------------------------------------------

@dataclass
class _Outcome:
    msg: Message
    provider_id: str = ""
    error: ProviderError | None = None
    unknown: str = ""


def _deliver_one(msg: Message) -> _Outcome:
    try:
        provider = get_provider(msg.provider)
        rate_limiter(msg.provider).acquire()
        return _Outcome(msg, provider_id=provider.send(_outgoing(msg)))
    except ProviderError as exc:
        return _Outcome(msg, error=exc)
    except OutcomeUnknown as exc:
        return _Outcome(msg, unknown=str(exc) or "outcome unknown")
    except Exception as exc:  # anything else: we cannot know whether it went out
        log.exception("provider %s failed on message %s", msg.provider, msg.pk)
        return _Outcome(msg, unknown=f"{type(exc).__name__}: {exc}")


def _deliver(msgs: list[Message]) -> list[_Outcome]:
    threads = max(1, min(settings.WEIJI_MESSAGING_THREADS, len(msgs)))
    if threads == 1:
        return [_deliver_one(m) for m in msgs]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(_deliver_one, msgs))


# --- record ----------------------------------------------------------------------------

def _record(outcomes: list[_Outcome], now: datetime, stats: SendStats) -> None:
    if not outcomes:
        return
    with transaction.atomic():
        current = {
            m.pk: m for m in Message.objects.filter(
                pk__in=[o.msg.pk for o in outcomes], status=MessageStatus.SENDING)
        }
        changed, events = [], []
        for o in outcomes:
            msg = current.get(o.msg.pk)
            if msg is None or msg.attempts != o.msg.attempts:
                continue  # a receipt or a recovery got there first
            detail = ""
            if o.provider_id:
                msg.status, msg.sent_at = MessageStatus.SENT, now
                msg.provider_message_id, msg.error_code = o.provider_id[:80], ""
                stats.sent += 1
            elif o.error is not None:
                msg.error_code, detail = o.error.code, o.error.detail
                if o.error.kind == ErrorKind.PERMANENT or (
                        o.error.kind == ErrorKind.RETRY
                        and msg.attempts >= settings.WEIJI_MESSAGING_MAX_ATTEMPTS):
                    msg.status, msg.finished_at, msg.send_day = MessageStatus.FAILED, now, None
                    stats.failed += 1
                else:
                    msg.status, msg.send_day, msg.claimed_at = MessageStatus.QUEUED, None, None
                    if o.error.kind == ErrorKind.DEFER:
                        msg.next_attempt_at = _tomorrow(now)
                        stats.deferred += 1
                    else:
                        msg.next_attempt_at = now + _backoff(msg.attempts)
                        stats.retried += 1
            else:
                stats.unknown += 1
                events.append(_event(msg, now, detail=f"结果未知，稍后核对 / outcome unknown: "
                                                      f"{o.unknown}"))
                continue
            changed.append(msg)
            events.append(_event(msg, now, detail=detail))
        bulk_set(changed, [
            "status", "sent_at", "provider_message_id", "error_code", "finished_at",
            "send_day", "claimed_at", "next_attempt_at",
        ])
        MessageEvent.objects.bulk_create(events, batch_size=1000)
        mark_reminded([m.campaign_target_id for m in changed
                       if m.status == MessageStatus.SENT and m.campaign_target_id], now)


def mark_reminded(target_ids: list[int], at: datetime) -> None:
    """Campaign targets whose appointment reminder went out: ``CampaignTarget.reminded_at``."""
    if not target_ids:
        return
    from weiji.campaigns.models import CampaignTarget

    CampaignTarget.objects.filter(pk__in=set(target_ids)).update(reminded_at=at)


# --- recovery --------------------------------------------------------------------------

def messages_recover(*, now: datetime | None = None, limit: int = 200) -> SendStats:
    """Settle messages left ``sending`` past the lease: found at the provider, or resent."""
    now = now or timezone.now()
    stats = SendStats()
    lease = timedelta(seconds=settings.WEIJI_MESSAGING_SENDING_LEASE_SECONDS)
    stale = list(Message.objects.filter(
        status=MessageStatus.SENDING, claimed_at__lt=now - lease,
    ).select_related("template").order_by("claimed_at")[:limit])
    resend: list[Message] = []
    for msg in stale:
        provider = get_provider(msg.provider)
        found, detail = None, ""
        if provider.supports_lookup:
            try:
                found = provider.lookup(_outgoing(msg), since=msg.claimed_at)
            except (ProviderError, OutcomeUnknown) as exc:
                stats.errors.append(f"{msg.pk}: lookup failed: {exc}")
                continue
        elif (now - msg.claimed_at).total_seconds() >= provider.dedupe_seconds:
            with transaction.atomic():
                n = Message.objects.filter(pk=msg.pk, status=MessageStatus.SENDING,
                                           claimed_at=msg.claimed_at).update(
                    status=MessageStatus.FAILED, finished_at=now,
                    error_code="weiji:outcome_unknown")
                if n:
                    msg.status, msg.error_code = MessageStatus.FAILED, "weiji:outcome_unknown"
                    MessageEvent.objects.create(**_event_fields(msg, now, (
                        "发送结果无法核实，为避免重复不再重发 / the outcome cannot be checked "
                        "and a resend could duplicate it")))
                    stats.failed += 1
            continue
        with transaction.atomic():
            if found:
                n = Message.objects.filter(pk=msg.pk, status=MessageStatus.SENDING,
                                           claimed_at=msg.claimed_at).update(
                    status=MessageStatus.SENT, sent_at=now, provider_message_id=found[:80],
                    error_code="")
                detail = "服务商已收到（按幂等键核对）/ found at the provider by its key"
                status = MessageStatus.SENT
                stats.recovered += n
                if n and msg.campaign_target_id:
                    mark_reminded([msg.campaign_target_id], now)
            else:
                n = Message.objects.filter(pk=msg.pk, status=MessageStatus.SENDING,
                                           claimed_at=msg.claimed_at).update(
                    claimed_at=now, attempts=msg.attempts + 1)
                detail = "服务商未收到，重新发送 / not at the provider: sending again"
                status = MessageStatus.SENDING
                if n:
                    msg.claimed_at, msg.attempts = now, msg.attempts + 1
                    resend.append(msg)
            if n:
                msg.status = status
                msg.provider_message_id = found or msg.provider_message_id
                MessageEvent.objects.create(**_event_fields(msg, now, detail))
    if resend:
        _record(_deliver(resend), timezone.now(), stats)
    return stats


def _event_fields(msg: Message, now: datetime, detail: str) -> dict:
    return {"message_id": msg.pk, "at": now, "status": msg.status, "provider": msg.provider,
            "provider_message_id": msg.provider_message_id, "error_code": msg.error_code,
            "detail": detail[:300]}


# --- the entry point -------------------------------------------------------------------

def messages_send(*, ids: list[int] | None = None, now: datetime | None = None,
                  limit: int | None = None, recover: bool = True,
                  max_batches: int | None = None) -> SendStats:
    """Send due messages (all of them, batch by batch, or just ``ids``); return counts."""
    stats = SendStats()
    if recover and ids is None:
        stats.add(messages_recover(now=now))
    limit = limit or settings.WEIJI_MESSAGING_BATCH
    batches = 0
    while True:
        at = now or timezone.now()
        claimed = _claim(ids, at, limit, stats)
        if not claimed:
            return stats
        _record(_deliver(claimed), now or timezone.now(), stats)
        batches += 1
        if ids is not None or (max_batches and batches >= max_batches):
            return stats
