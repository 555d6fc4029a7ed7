"""``{% load weiji_web %}{% nav_items as items %}``: menus for the current user."""

from __future__ import annotations

from django import template

from weiji.web.nav import nav_for, person_links_for

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_items(context) -> list[dict]:
    request = context.get("request")
    return nav_for(getattr(request, "user", None))


@register.simple_tag(takes_context=True)
def person_links(context, person_pk: int) -> list[dict]:
    """``{% person_links person.pk as links %}``: other apps' links for a person."""
    request = context.get("request")
    return person_links_for(getattr(request, "user", None), person_pk)
