"""Template variables, rendering and length checks against provider limits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

VARIABLES = ("name", "service", "due_date", "place", "phone")
# Campaign appointment reminders (预约提醒), templates "campaign:<code>" / "campaign:*".
CAMPAIGN_VARIABLES = ("name", "campaign", "site", "dates", "phone")
CAMPAIGN_PREFIX = "campaign:"
VARIABLE_LABELS = {
    "name": "姓名", "service": "服务项目", "due_date": "截止日期", "place": "服务地点",
    "phone": "责任人电话", "campaign": "活动名称", "site": "查体点", "dates": "活动日期",
}
_VAR = re.compile(r"\{([a-z_]+)\}")

# Shipped when a district has not written its own (service "*" = every service).
DEFAULT_BODIES = {
    "sms": "{name}您好，您的{service}服务请于{due_date}前到{place}办理，咨询电话{phone}。回复TD退订",
    "wechat": "{name}您好，您的{service}服务请于{due_date}前到{place}办理，咨询电话{phone}。",
}
DEFAULT_CAMPAIGN_BODIES = {
    "sms": "{name}您好，{campaign}于{dates}在{site}进行，请按时参加，咨询电话{phone}。回复TD退订",
    "wechat": "{name}您好，{campaign}于{dates}在{site}进行，请按时参加，咨询电话{phone}。",
}


def is_campaign_service(service: str) -> bool:
    """Whether a template key is for campaign appointment reminders ("campaign:…")."""
    return service.startswith(CAMPAIGN_PREFIX)


def variables_for(service: str) -> tuple[str, ...]:
    return CAMPAIGN_VARIABLES if is_campaign_service(service) else VARIABLES


class TemplateError(ValueError):
    """A template or its values do not fit (message in Chinese and English)."""


def template_variables(body: str, variables: tuple[str, ...] = VARIABLES) -> list[str]:
    """The variables of a body in order of first appearance; unknown names are an error."""
    seen: list[str] = []
    for name in _VAR.findall(body):
        if name not in variables:
            raise TemplateError(
                f"模板中有未知变量 {{{name}}}，可用变量：{'、'.join('{' + v + '}' for v in variables)} / "
                f"unknown variable {{{name}}} in the template; use {', '.join(variables)}"
            )
        if name not in seen:
            seen.append(name)
    return seen


def format_due_date(day: date) -> str:
    return f"{day.month}月{day.day}日"


def format_dates(start: date, end: date) -> str:
    """A campaign's dates, e.g. 3月1日至31日 / 3月25日至4月5日 (fits Tencent's 12)."""
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.month}月{start.day}日至{end.day}日"
    return f"{format_due_date(start)}至{format_due_date(end)}"


@dataclass(frozen=True)
class Rendered:
    body: str
    params: dict[str, str]  # in template order (Tencent's TemplateParamSet follows it)


def render(body: str, values: dict[str, str], *, variable_max_length: int | None,
           body_max_length: int | None, variables: tuple[str, ...] = VARIABLES) -> Rendered:
    """Fill a body; raise TemplateError when a value or the whole text exceeds the limits."""
    names = template_variables(body, variables)
    params = {n: str(values.get(n, "")) for n in names}
    if variable_max_length:
        for n, v in params.items():
            if len(v) > variable_max_length:
                raise TemplateError(
                    f"变量{VARIABLE_LABELS[n]}（{v}）超过服务商限制的{variable_max_length}个字 / "
                    f"variable {n} ({len(v)} characters) exceeds the provider limit of "
                    f"{variable_max_length}"
                )
    text = _VAR.sub(lambda m: params[m.group(1)], body)
    if body_max_length and len(text) > body_max_length:
        raise TemplateError(
            f"短信全文{len(text)}字，超过服务商限制的{body_max_length}字 / the message has "
            f"{len(text)} characters, over the provider limit of {body_max_length}"
        )
    return Rendered(body=text, params=params)
