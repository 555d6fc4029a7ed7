"""``{% load indicators_tags %}``: ``mapping|get_item:key`` for report-form cells."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key, {})
