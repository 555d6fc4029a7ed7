"""Writes for messaging: templates, planning the outbox, opt-outs, receipts, test sends.

Sending itself lives in ``weiji.messaging.sending`` (re-exported here as ``messages_send``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from weiji.core.audit import AuditAction, audit_record
from weiji.messaging.models import (
    Message,
    MessageEvent,
    MessageStatus,
    MessageTemplate,
    OptOut,
    OptOutSource,
)
from weiji.messaging.providers import (
    PROVIDER_NAMES,
    Inbound,
    Pending,
    Receipt,
    get_provider,
    provider_for_channel,
)
from weiji.messaging.rendering import (
    TemplateError,
    is_campaign_service,
    render,
    template_variables,
    variables_for,
)
from weiji.messaging.sending import (
    SendStats,
    bulk_insert_new,
    bulk_set,
    messages_recover,
    messages_send,
    send_time,
)
from weiji.worklists.models import ItemState, ItemStatus, ServiceItem

__all__ = [
    "SendStats", "inbound_apply", "message_test_send", "messages_recover", "messages_send",
    "optout_record", "optout_revoke", "receipts_apply", "receipts_poll", "reminders_plan",
    "reminders_replan_for_person", "template_save",
]

CHUNK = 2000


# --- templates -------------------------------------------------------------------------

SAMPLE_VALUES = {"name": "欧阳娜娜", "service": "产后42天健康检查", "due_date": "12月31日",
                 "place": "某某镇卫生院", "phone": "13800000000"}
CAMPAIGN_SAMPLE_VALUES = {"name": "欧阳娜娜", "campaign": "春季妇女健康查体",
                          "site": "某某镇卫生院", "dates": "3月25日至4月25日",
                          "phone": "13800000000"}


def sample_values(service: str) -> dict[str, str]:
    return CAMPAIGN_SAMPLE_VALUES if is_campaign_service(service) else SAMPLE_VALUES


@transaction.atomic
def template_save(*, user, service: str, channel: str, body: str,
                  provider_template_ids: dict[str, str] | None = None) -> MessageTemplate:
    """Save a new version of a template, after checking it against every provider's limits.

    ``service`` is a service code, "*", or "campaign:<campaign code>" / "campaign:*" for
    campaign appointment reminders (other variables: {campaign} {site} {dates}).
    """
    body = body.strip()
    service = service.strip()
    if not body:
        raise TemplateError("模板内容不能为空 / the template text is empty")
    variables = variables_for(service)
    template_variables(body, variables)
    provider_name = provider_for_channel(channel) or "log"
    provider = get_provider(provider_name)
    render(body, sample_values(service), variable_max_length=provider.variable_max_length,
           body_max_length=provider.body_max_length, variables=variables)
    ids = {k: str(v).strip() for k, v in (provider_template_ids or {}).items()
           if k in PROVIDER_NAMES and str(v).strip()}
    if provider_name not in ("log",) and not ids.get(provider_name):
        raise TemplateError(
            f"请填写服务商 {provider_name} 的模板编号 / the {provider_name} template id is missing"
        )
    last = (MessageTemplate.objects.select_for_update()
            .filter(service=service, channel=channel).order_by("-version").first())
    tpl = MessageTemplate.objects.create(
        service=service, channel=channel, version=(last.version + 1) if last else 1,
        body=body, provider_template_ids=ids, created_by=user,
    )
    audit_record(user=user, action=AuditAction.CREATE, obj=tpl,
                 detail={"service": service, "channel": channel, "version": tpl.version})
    return tpl


# --- planning --------------------------------------------------------------------------

def _plan_for(service: str) -> list[dict]:
    plans = settings.WEIJI_REMINDER_PLANS
    best = max((k for k in plans if k != "*" and service.startswith(k)), key=len, default="*")
    return plans[best]


def _steps(item: dict, today: date, now: datetime) -> dict[str, datetime]:
    """step -> when, for one open item (see docs/messaging.md for the rules)."""
    days: list[tuple[str, date]] = []
    for step in _plan_for(item["service"]):
        anchor = item[step["anchor"]]
        day = min(max(anchor + timedelta(days=int(step["offset_days"])), item["due_from"]),
                  item["due_until"])
        if all(day != d for _, d in days):
            days.append((step["step"], day))
    future = [(s, d) for s, d in days if d >= today]
    past = [(s, d) for s, d in days if d < today]
    chosen = list(future)
    # Catch up on the latest missed step, unless a later one is due within 3 days anyway.
    if past and not any(d <= today + timedelta(days=3) for _, d in future):
        chosen.insert(0, (past[-1][0], today))
    result = {}
    for step, day in chosen:
        at = send_time(day)
        result[step] = max(at, now) if day == today else at
    return result


def _moved(planned: datetime, wanted: datetime, now: datetime) -> bool:
    """Whether a queued message must move: its day changed, and it is not simply overdue."""
    have, want = timezone.localdate(planned), timezone.localdate(wanted)
    if have == want:
        return False
    return not (want == timezone.localdate(now) and planned <= now)


def _open_items(items) -> Iterable[list[dict]]:
    qs = ServiceItem.objects.filter(state=ItemState.OPEN).exclude(status=ItemStatus.LEAD)
    qs = qs.exclude(service__in=settings.WEIJI_REMINDER_EXCLUDED_SERVICES)
    if items is not None:
        ids = [i.pk if isinstance(i, ServiceItem) else int(i) for i in items]
        qs = qs.filter(pk__in=ids)
    fields = ("id", "person_id", "service", "village_id", "due_from", "due_until")
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last).order_by("pk").values(*fields)[:CHUNK])
        if not chunk:
            return
        last = chunk[-1]["id"]
        yield chunk


def _expire(qs, now: datetime, code: str, detail: str) -> int:
    ids = list(qs.filter(status=MessageStatus.QUEUED).values_list("pk", flat=True))
    total = 0
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        with transaction.atomic():
            Message.objects.filter(pk__in=part, status=MessageStatus.QUEUED).update(
                status=MessageStatus.EXPIRED, finished_at=now, error_code=code)
            MessageEvent.objects.bulk_create([
                MessageEvent(message_id=pk, at=now, status=MessageStatus.EXPIRED,
                             error_code=code, detail=detail) for pk in part
            ])
        total += len(part)
    return total


def reminders_plan(*, items: Iterable | None = None, now: datetime | None = None) -> dict:
    """Create or move the outbox entries of open items (all of them, or ``items``).

    Idempotent: one message per (item, step). A queued message whose planned time moved
    is moved; one whose item is no longer open (done, dropped, replaced after a date
    changed) expires. Returns counts.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    counts = {"created": 0, "moved": 0, "expired": 0}
    closed = Message.objects.filter(status=MessageStatus.QUEUED, item__isnull=False).filter(
        ~Q(item__state=ItemState.OPEN) | Q(item__due_until__lt=today))
    if items is not None:
        closed = closed.filter(item__in=list(items))
    counts["expired"] += _expire(closed, now, "weiji:item_closed",
                                 "服务项已关闭或日期已变更 / the item closed or its dates changed")
    for chunk in _open_items(items):
        live = [i for i in chunk if i["due_until"] >= today]
        existing: dict[tuple[int, str], Message] = {
            (m.item_id, m.step): m for m in Message.objects.filter(
                item_id__in=[i["id"] for i in live]).only(
                "id", "item_id", "step", "status", "planned_at", "next_attempt_at")
        }
        create, move = [], []
        for item in live:
            wanted = _steps(item, today, now)
            for step, at in wanted.items():
                msg = existing.get((item["id"], step))
                if msg is None:
                    create.append(Message(
                        person_id=item["person_id"], item_id=item["id"], service=item["service"],
                        village_id=item["village_id"], step=step, planned_at=at,
                        next_attempt_at=at,
                    ))
                elif msg.status == MessageStatus.QUEUED and _moved(msg.planned_at, at, now):
                    msg.planned_at = msg.next_attempt_at = at
                    move.append(msg)
            for (item_id, step), msg in existing.items():
                if item_id == item["id"] and step not in wanted and \
                        msg.status == MessageStatus.QUEUED:
                    counts["expired"] += _expire(
                        Message.objects.filter(pk=msg.pk), now, "weiji:replanned",
                        "计划变更 / no longer planned")
        with transaction.atomic():
            made = bulk_insert_new(create)
            bulk_set(move, ["planned_at", "next_attempt_at"])
        counts["created"] += made
        counts["moved"] += len(move)
    return counts


def reminders_replan_for_person(*, person_id: int, now: datetime | None = None) -> dict:
    """Re-plan one person's reminders at once (after a date such as LMP or birth changed)."""
    now = now or timezone.now()
    items = list(ServiceItem.objects.filter(person_id=person_id).values_list("pk", flat=True))
    counts = reminders_plan(items=items, now=now)
    counts["expired"] += _expire(
        Message.objects.filter(person_id=person_id, item__isnull=True,
                               campaign_target__isnull=True).exclude(step="test")
        .exclude(service="campaign"),
        now, "weiji:item_closed", "服务项已删除 / the item is gone")
    return counts


# --- opt-outs --------------------------------------------------------------------------

@transaction.atomic
def optout_record(*, source: str, person_id: int | None = None, phone: str = "",
                  keyword: str = "", note: str = "", user=None, request=None) -> OptOut:
    """退订: no more reminders to this person (worker) or this number (SMS reply)."""
    if not person_id and not phone:
        raise ValueError("退订须指定居民或手机号 / an opt-out needs a person or a phone number")
    optout = OptOut.objects.create(person_id=person_id, phone=phone.strip(), source=source,
                                   keyword=keyword[:20], note=note[:200], created_by=user)
    audit_record(user=user, action=AuditAction.CREATE, obj=optout, request=request,
                 detail={"source": source, "person_id": person_id})
    return optout


@transaction.atomic
def optout_revoke(*, optout_id: int, user, request=None) -> OptOut:
    optout = OptOut.objects.select_for_update().get(pk=optout_id)
    if optout.revoked_at is None:
        optout.revoked_at = timezone.now()
        optout.save(update_fields=["revoked_at"])
        audit_record(user=user, action=AuditAction.UPDATE, obj=optout, request=request,
                     detail={"revoked": True, "person_id": optout.person_id})
    return optout


def inbound_apply(*, provider: str, inbound: list[Inbound]) -> int:
    """Replies from residents: an opt-out keyword (TD, 退订, …) opts that number out."""
    keywords = {k.upper() for k in settings.WEIJI_OPTOUT_KEYWORDS}
    count = 0
    for msg in inbound:
        text = msg.text.strip().upper()
        if text in keywords:
            phone = msg.phone[3:] if msg.phone.startswith("+86") else msg.phone
            optout_record(source=OptOutSource.SMS_REPLY, phone=phone, keyword=msg.text.strip(),
                          note=f"via {provider}")
            count += 1
    return count


# --- receipts --------------------------------------------------------------------------

def receipts_apply(*, provider: str, receipts: list[Receipt], now: datetime | None = None
                   ) -> int:
    """Mark messages delivered/failed from provider receipts (pushed or polled)."""
    now = now or timezone.now()
    keys = [r.key for r in receipts if r.key]
    pids = [r.provider_message_id for r in receipts if r.provider_message_id]
    if not keys and not pids:
        return 0
    updated = 0
    with transaction.atomic():
        q = Q(provider=provider, provider_message_id__in=pids) if pids else Q(pk__in=[])
        valid_keys = []
        for k in keys:
            try:
                valid_keys.append(str(uuid.UUID(k)))
            except ValueError:
                continue
        if valid_keys:
            q |= Q(key__in=valid_keys)
        msgs = Message.objects.select_for_update().filter(q).filter(
            status__in=(MessageStatus.SENDING, MessageStatus.SENT))
        by_key = {str(m.key): m for m in msgs}
        by_pid = {m.provider_message_id: m for m in by_key.values() if m.provider_message_id}
        changed, events = [], []
        for r in receipts:
            msg = by_key.get(r.key) or by_pid.get(r.provider_message_id)
            if msg is None or msg.status not in (MessageStatus.SENDING, MessageStatus.SENT):
                continue
            if msg.status == MessageStatus.SENDING:
                msg.sent_at = msg.sent_at or now
                if r.provider_message_id and not r.provider_message_id.startswith("out:"):
                    msg.provider_message_id = r.provider_message_id[:80]
            msg.status = MessageStatus.DELIVERED if r.delivered else MessageStatus.FAILED
            msg.error_code = r.error_code[:80]
            msg.finished_at = r.at or now
            changed.append(msg)
            events.append(MessageEvent(
                message_id=msg.pk, at=now, status=msg.status, provider=provider,
                provider_message_id=msg.provider_message_id, error_code=msg.error_code,
                detail="回执 / receipt"))
        bulk_set(changed, ["status", "error_code", "finished_at", "sent_at",
                           "provider_message_id"])
        MessageEvent.objects.bulk_create(events, batch_size=1000)
        updated = len(changed)
    return updated


def receipts_poll(*, now: datetime | None = None, max_age_days: int = 3) -> int:
    """Ask each configured provider for receipts of sent messages (where it can be asked)."""
    now = now or timezone.now()
    names = {n for n in (provider_for_channel("sms"), provider_for_channel("wechat")) if n}
    total = 0
    for name in sorted(names):
        provider = get_provider(name)
        pending = [
            Pending(key=str(m.key), to=m.to, provider_message_id=m.provider_message_id,
                    sent_at=m.sent_at)
            for m in Message.objects.filter(
                provider=name, status=MessageStatus.SENT,
                sent_at__gte=now - timedelta(days=max_age_days)).order_by("sent_at")[:2000]
        ]
        if not pending:
            continue
        total += receipts_apply(provider=name, receipts=provider.poll_receipts(pending), now=now)
    return total


# --- administrator's test send ---------------------------------------------------------

def message_test_send(*, user, to: str, channel: str = "sms", service: str = "*",
                      request=None) -> Message:
    """Send the current template for ``service`` with sample values to ``to`` now."""
    from weiji.messaging.selectors import template_body, template_current

    provider_name = provider_for_channel(channel)
    if not provider_name:
        raise TemplateError(f"渠道 {channel} 未启用 / channel {channel} is not configured")
    provider = get_provider(provider_name)
    template = template_current(service=service, channel=channel)
    campaign = is_campaign_service(service)
    rendered = render(template_body(template, channel, campaign=campaign),
                      sample_values(service), variable_max_length=provider.variable_max_length,
                      body_max_length=provider.body_max_length, variables=variables_for(service))
    now = timezone.now()
    with transaction.atomic():
        msg = Message.objects.create(
            service=service, step="test", channel=channel, provider=provider_name,
            to=to.strip(), template=template, body=rendered.body, params=rendered.params,
            planned_at=now, next_attempt_at=now, created_by=user,
        )
        MessageEvent.objects.create(message=msg, at=now, status=MessageStatus.QUEUED,
                                    provider=provider_name, detail="测试发送 / test send")
        audit_record(user=user, action=AuditAction.CREATE, obj=msg, request=request,
                     detail={"test_send": True, "channel": channel, "service": service})
    messages_send(ids=[msg.pk], now=now)
    msg.refresh_from_db()
    return msg

