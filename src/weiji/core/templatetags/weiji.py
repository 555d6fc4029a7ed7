"""Template filters: ``{% load weiji %}`` then ``{{ p.id_number|mask_id }}``, ``{{ p.phone|mask_phone }}``."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

from weiji.core.masking import mask_id_number, mask_phone

register = template.Library()


@register.filter(name="mask_id")
def mask_id_filter(value: str | None) -> str:
    return mask_id_number(value)


@register.filter(name="mask_phone")
def mask_phone_filter(value: str | None) -> str:
    return mask_phone(value)


@register.filter(name="choice_label")
def choice_label(value: str, choices) -> str:
    """The label of ``value`` in a TextChoices class or a list of (value, label) pairs."""
    pairs = choices.choices if hasattr(choices, "choices") else choices
    return dict(pairs).get(value, value)


@register.filter(name="tr")
def translate_label(value) -> str:
    """Translate a stored label (a model choice's Chinese label) into the active language."""
    return gettext(str(value)) if value not in (None, "") else value
