"""Reminders to residents (温馨告知): templates, the outbox, its history, opt-outs, job locks."""

from __future__ import annotations

import uuid

from django.db import models


class Channel(models.TextChoices):
    SMS = "sms", "短信"
    WECHAT = "wechat", "微信"


class MessageTemplate(models.Model):
    """One version of the text sent for a service on a channel ("*" = any service).

    Editing creates a new version; the highest version of (service, channel) is current.
    Variables: {name} {service} {due_date} {place} {phone}; campaign appointment reminders
    ("campaign:…"): {name} {campaign} {site} {dates} {phone}.
    """

    # A service code, "*", "campaign:<campaign code>" or "campaign:*" (any campaign).
    service = models.CharField(max_length=60)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SMS)
    version = models.PositiveIntegerField()
    body = models.TextField()
    # Template ids registered with each provider: {"tencent": "1234567", "aliyun": "SMS_1"}.
    provider_template_ids = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "channel", "version"], name="msgtemplate_version"
            )
        ]
        ordering = ["service", "channel", "-version"]

    def __str__(self) -> str:
        return f"{self.service}/{self.channel} v{self.version}"


class WeChatBinding(models.Model):
    """A resident's openid on the district's official account (bound by the resident)."""

    person = models.OneToOneField(
        "registry.Person", on_delete=models.CASCADE, related_name="wechat_binding",
        db_constraint=False,
    )
    openid = models.CharField(max_length=64, unique=True)
    bound_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.person_id} {self.openid}"


class OptOutSource(models.TextChoices):
    SMS_REPLY = "sms_reply", "短信回复退订"
    WORKER = "worker", "工作人员登记"
    WECHAT = "wechat", "微信拒收"


class OptOut(models.Model):
    """退订: a person (by the worker) or a phone number (by SMS reply) gets no reminders."""

    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.CASCADE,
        related_name="message_optouts", db_constraint=False,
    )
    phone = models.CharField(max_length=20, blank=True, default="", db_index=True)
    source = models.CharField(max_length=12, choices=OptOutSource.choices)
    keyword = models.CharField(max_length=20, blank=True, default="")
    note = models.CharField(max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"optout {self.person_id or self.phone} {self.source}"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    DELIVERED = "delivered", "已送达"
    FAILED = "failed", "失败"
    EXPIRED = "expired", "已失效"


OPEN_STATUSES = (MessageStatus.QUEUED, MessageStatus.SENDING)


class Message(models.Model):
    """One reminder in the outbox. ``key`` is the idempotency key given to the provider."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(  # empty for an administrator's test send
        "registry.Person", null=True, blank=True, on_delete=models.CASCADE,
        related_name="messages", db_constraint=False,
    )
    item = models.ForeignKey(
        "worklists.ServiceItem", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="messages", db_constraint=False,
    )
    # A campaign appointment reminder (预约提醒) has a target instead of an item.
    campaign_target = models.ForeignKey(
        "campaigns.CampaignTarget", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="messages", db_constraint=False,
    )
    service = models.CharField(max_length=40)  # the item's service, or "campaign"
    village = models.ForeignKey(
        "orgunits.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_constraint=False,
    )
    # window_open | closing | test | campaign_start | campaign_closing
    step = models.CharField(max_length=20)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SMS)
    provider = models.CharField(max_length=20, blank=True, default="")
    to = models.CharField(max_length=64, blank=True, default="")
    template = models.ForeignKey(
        MessageTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(blank=True, default="")
    params = models.JSONField(default=dict, blank=True)
    planned_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The local day a message went out on: at most one per person per day (constraint).
    send_day = models.DateField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=80, blank=True, default="")
    error_code = models.CharField(max_length=80, blank=True, default="")
    error_detail = models.CharField(max_length=300, blank=True, default="")
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "step"], condition=models.Q(item__isnull=False),
                name="message_item_step",
            ),
            models.UniqueConstraint(
                fields=["campaign_target", "step"],
                condition=models.Q(campaign_target__isnull=False),
                name="message_campaign_target_step",
            ),
            models.UniqueConstraint(
                fields=["person", "send_day"], condition=models.Q(send_day__isnull=False),
                name="message_person_day",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="message_due"),
            models.Index(fields=["village", "service", "status"], name="message_village"),
            models.Index(fields=["provider", "provider_message_id"], name="message_provider_id"),
            models.Index(fields=["to", "sent_at"], name="message_to_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.service} {self.status}"


class MessageEvent(models.Model):
    """Append-only status history of a message (also its audit trail)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=MessageStatus.choices)
    provider = models.CharField(max_length=20, blank=True, default="")
    provider_message_id = models.CharField(max_length=80, blank=True, default="")
    error_code = models.CharField(max_length=80, blank=True, default="")
    detail = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.message_id} {self.status} {self.at:%Y-%m-%d %H:%M}"


class JobLock(models.Model):
    """A periodic job's lease, so that runs never overlap across processes."""

    name = models.CharField(primary_key=True, max_length=80)
    owner = models.CharField(max_length=120, blank=True, default="")
    locked_until = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return self.name
