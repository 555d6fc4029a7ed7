"""Template tags for pages outside the app: ``{% load campaigns %}{% exchange_warnings_panel %}``
puts the overdue migrant-exchange warnings on a dashboard (nothing when there are none)."""

from __future__ import annotations

from django import template

from weiji.campaigns.exchange import exchange_warnings

register = template.Library()


@register.inclusion_tag("campaigns/_exchange_warnings.html", takes_context=True)
def exchange_warnings_panel(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"warnings": []}
    return {"warnings": exchange_warnings(user=user)}
