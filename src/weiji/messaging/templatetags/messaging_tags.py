"""``{% load messaging_tags %}{% person_reminders person %}`` — a person's reminders, for the
person page (latest 10, with their status history and a link to the full list)."""

from __future__ import annotations

from django import template

from weiji.messaging.selectors import person_messages, person_optout

register = template.Library()


@register.inclusion_tag("messaging/_person_reminders.html")
def person_reminders(person, limit: int = 10):
    return {
        "person": person,
        "messages_list": list(person_messages(person_id=person.pk)[:limit]),
        "optout": person_optout(person_id=person.pk, phone=person.phone),
    }
