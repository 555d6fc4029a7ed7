"""``{% load weiji_web %}{% nav_items as items %}``: the menu for the current user."""

from __future__ import annotations

from django import template

from weiji.web.nav import nav_for

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_items(context) -> list[dict]:
    request = context.get("request")
    return nav_for(getattr(request, "user", None))
