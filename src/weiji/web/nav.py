"""The main menu and the person page's links, by role.

Other apps add main-menu entries with :func:`nav_register` and links on a person's page
(URL names taking the person's ``pk``) with :func:`person_link_register`, from their
``AppConfig.ready``.

An entry whose URL name does not resolve (its app has no such page) is left out, so the
menu never links to a missing page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from weiji.accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    roles: frozenset[str] | None = None  # None: every role


NAV_ITEMS: list[NavItem] = [
    NavItem("home", _("首页")),
    NavItem("registry:search", _("人员查询")),
    NavItem("orgunits:tree", _("行政区划")),
    NavItem("registry:person_new", _("登记人员")),
    NavItem("registry:household_new", _("登记家庭户")),
    NavItem("records:upload", _("数据导入"), frozenset({Role.DISTRICT_ADMIN})),
    NavItem("audit_log", _("审计日志"), frozenset({Role.DISTRICT_ADMIN})),
]


def nav_register(url_name: str, label, roles=None) -> None:
    """Add a menu entry (call from an app's ``AppConfig.ready``)."""
    item = NavItem(url_name, label, frozenset(roles) if roles else None)
    if all(existing.url_name != url_name for existing in NAV_ITEMS):
        NAV_ITEMS.append(item)


def nav_for(user) -> list[dict]:
    """The menu entries the user's role may use, with their URLs."""
    if user is None or not user.is_authenticated:
        return []
    items = []
    for item in NAV_ITEMS:
        if item.roles is not None and user.role not in item.roles and not user.is_superuser:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": gettext(str(item.label))})
    return items


PERSON_LINKS: list[NavItem] = []


def person_link_register(url_name: str, label, roles=None) -> None:
    """Add a link on every person's page; ``url_name`` takes the person's ``pk``."""
    item = NavItem(url_name, label, frozenset(roles) if roles else None)
    if all(existing.url_name != url_name for existing in PERSON_LINKS):
        PERSON_LINKS.append(item)


def person_links_for(user, person_pk: int) -> list[dict]:
    """The registered person-page links the user's role may use, with their URLs."""
    if user is None or not user.is_authenticated:
        return []
    links = []
    for item in PERSON_LINKS:
        if item.roles is not None and user.role not in item.roles and not user.is_superuser:
            continue
        try:
            url = reverse(item.url_name, kwargs={"pk": person_pk})
        except NoReverseMatch:
            continue
        links.append({"url": url, "label": gettext(str(item.label))})
    return links
