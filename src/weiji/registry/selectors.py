"""Registry reads: scoped person search, likely duplicates, a person's page data."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_noop

from weiji.accounts.scope import scope_persons
from weiji.registry.ids import name_search_keys
from weiji.registry.models import Person

SEARCH_LIMIT = 50
_NUMBER = re.compile(r"^[0-9]{3,17}[0-9Xx]?$")
_LATIN = re.compile(r"^[A-Za-z ]+$")


def person_search(*, user, q: str, limit: int = SEARCH_LIMIT) -> QuerySet[Person]:
    """Persons in the user's scope matching ``q``.

    ``q`` is a name (or part), pinyin initials (``zs``) or full pinyin (``zhangsan``), an
    ID number or a phone number (whole, or at least its last 4 characters).
    """
    q = (q or "").strip()
    qs = scope_persons(user).filter(merged_into__isnull=True).select_related("village")
    if not q:
        return qs.none()
    if _NUMBER.match(q):
        number = q.upper()
        if len(number) == 18:
            cond = Q(id_number=number)
        elif len(number) == 11 and number.isdigit():
            cond = Q(phone=number) | Q(id_number__endswith=number)
        elif len(number) >= 4:
            cond = Q(id_number__endswith=number) | Q(phone__endswith=number)
        else:
            return qs.none()
    elif _LATIN.match(q):
        key = q.replace(" ", "").lower()
        cond = Q(name_initials__startswith=key) | Q(name_pinyin__startswith=key)
        if len(key) >= 3:
            cond |= Q(name_pinyin__contains=key)
    else:
        cond = Q(name__contains=q)
    return qs.filter(cond).order_by("name", "birth_date", "pk")[:limit]


def person_get_scoped(*, user, pk: int) -> Person:
    """One person in the user's scope, or 404 (never reveals that others exist)."""
    qs = scope_persons(user).select_related("village", "household", "mother")
    return get_object_or_404(qs, pk=pk)


def person_likely_duplicates(*, name: str, birth_date: date, village_code: str,
                             user=None) -> list[Person]:
    """Persons who may be the one being registered: same birth date and village, and the
    same name or the same pinyin (同音字)."""
    pinyin, _ = name_search_keys(name)
    qs = Person.objects.filter(
        birth_date=birth_date, village_id=village_code, merged_into__isnull=True
    ).filter(Q(name=name.strip()) | Q(name_pinyin=pinyin) if pinyin else Q(name=name.strip()))
    if user is not None:
        qs = scope_persons(user, qs)
    return list(qs.order_by("pk")[:20])


# Life-course stages for the person page timeline (事件按生命阶段分组).
STAGES: list[tuple[str, str, tuple[str, ...]]] = [
    ("premarital", gettext_noop("婚育准备"), ("marriage", "preconception_checkup", "folic_acid")),
    ("pregnancy", gettext_noop("孕产期"), ("pregnancy_registered", "maternal_handbook", "antenatal_visit",
                          "pregnancy_outcome", "postpartum_visit", "postpartum_42d")),
    ("child", gettext_noop("儿童期"), ("newborn_visit", "child_checkup", "vaccination")),
    ("family_planning", gettext_noop("避孕节育与生育登记"), ("contraception", "birth_registration",
                                           "health_checkup")),
    ("adult", gettext_noop("成人与老年健康"), ("elderly_checkup", "chronic_diagnosis", "chronic_followup")),
    ("visits", gettext_noop("入户访查"), ("home_visit",)),
]


@dataclass
class Stage:
    key: str
    label: str
    events: list = field(default_factory=list)


def person_timeline(*, person: Person) -> list[Stage]:
    """The person's events grouped by life-course stage, oldest first; empty stages dropped."""
    stages = [Stage(key, label) for key, label, _ in STAGES]
    by_type = {t: stage for stage, (_, _, types) in zip(stages, STAGES, strict=True)
               for t in types}
    events = person.events.select_related("facility", "partner").order_by("date", "pk")
    for event in events:
        by_type.get(event.type, stages[-1]).events.append(event)
    return [s for s in stages if s.events]


def person_household_members(*, person: Person, user) -> list[Person]:
    """The other members of the person's household that the user may see."""
    if person.household_id is None:
        return []
    qs = Person.objects.filter(household_id=person.household_id, merged_into__isnull=True)
    return list(scope_persons(user, qs).exclude(pk=person.pk).order_by("birth_date"))


def person_children(*, person: Person, user) -> list[Person]:
    return list(scope_persons(user, person.children.all()).order_by("birth_date"))
