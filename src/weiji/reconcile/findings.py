"""Discrepancy lists from linked records (pure, no Django).

Given a source's records with their links and the register's persons, `compute_findings`
returns every item of every list, each with a stable key so that a monthly re-run updates
the task list instead of duplicating it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from weiji.reconcile.linkage import AUTO, REVIEW, DuplicatePair
from weiji.reconcile.names import normalize_name

# Kinds (the Discrepancy model mirrors these as TextChoices).
UNLINKED = "unlinked"
LINK_REVIEW = "link_review"
MISSING = "missing"
CONFLICT = "conflict"
DUPLICATE = "duplicate"
ABSENT = "absent"
PRESENT = "present"
UNMANAGED = "unmanaged"

CONFIRMED = "confirmed"
LINKED_STATUSES = frozenset({AUTO, CONFIRMED})

MARRIED = frozenset({"20", "21", "22", "23"})
OUTCOME_WINDOW_DAYS = 45


@dataclass(slots=True)
class PersonFacts:
    pid: int
    name: str = ""
    sex: str = ""
    birth_date: dt.date | None = None
    id_number: str = ""
    village: str = ""
    residency: str = ""
    marital_status: str = ""
    death_date: dt.date | None = None
    merged: bool = False


@dataclass(slots=True)
class RecordFacts:
    rid: int
    record_id: str
    person: int | None = None
    link_status: str = ""
    mother_person: int | None = None
    id_number: str = ""
    name: str = ""
    sex: str = ""
    birth_date: dt.date | None = None
    village: str = ""
    present: bool | None = None
    marital_status: str = ""
    death_date: dt.date | None = None
    outcome: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    key: str
    kind: str
    record: int | None = None
    person: int | None = None
    other_person: int | None = None
    field: str = ""
    source_value: str = ""
    register_value: str = ""
    orgunit: str = ""
    detail: str = ""


def _v(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _digest(text: str) -> str:
    return hashlib.blake2s(text.encode(), digest_size=6).hexdigest()


def coverage(source_type: str, persons: Iterable[PersonFacts], records: Sequence[RecordFacts]) -> set[int]:
    """Register persons the source is expected to contain (for the 库有源无 list)."""
    living = [p for p in persons if not p.merged and p.death_date is None]
    if source_type == "population_register":
        return {p.pid for p in living}
    if source_type == "residence":
        return {p.pid for p in living if p.residency == "inflow"}
    if source_type == "births":
        dates = [r.birth_date for r in records if r.birth_date]
        if not dates:
            return set()
        lo, hi = min(dates), max(dates)
        return {p.pid for p in living if p.birth_date and lo <= p.birth_date <= hi}
    return set()


def _town_of(code: str, units: set[str]) -> str:
    for length in (9, 6):
        if len(code) > length and code[:length] in units:
            return code[:length]
    return ""


def compute_findings(
    *,
    source_code: str,
    source_type: str,
    records: Sequence[RecordFacts],
    persons: dict[int, PersonFacts],
    villages: set[str],
    units: set[str],
    duplicates: Sequence[DuplicatePair] = (),
    outcomes: dict[int, list[tuple[dt.date, str]]] | None = None,
    with_register_lists: bool = True,
) -> list[Finding]:
    """All discrepancy items for one comparison.

    `villages` are the codes of village-level units, `units` every unit code; `outcomes`
    maps a mother's person id to her pregnancy outcomes (date, outcome) in the register.
    """
    out: list[Finding] = []
    linked: set[int] = set()
    prefix = f"{source_code}:"

    def village_or_blank(code: str) -> str:
        return code if code in villages else ""

    for r in records:
        p = persons.get(r.person) if r.person is not None else None
        if r.link_status == REVIEW and p is not None:
            linked.add(p.pid)
            out.append(Finding(
                key=f"{prefix}review:{r.record_id}:{p.pid}", kind=LINK_REVIEW, record=r.rid,
                person=p.pid, orgunit=village_or_blank(p.village) or village_or_blank(r.village),
            ))
            continue
        if r.link_status not in LINKED_STATUSES or p is None:
            if source_type == "births" and r.outcome and r.outcome != "live_birth":
                pass  # no child is expected for a stillbirth or a pregnancy loss
            else:
                mother = persons.get(r.mother_person) if r.mother_person is not None else None
                unit = village_or_blank(r.village) or (village_or_blank(mother.village) if mother else "")
                out.append(Finding(key=f"{prefix}unlinked:{r.record_id}", kind=UNLINKED, record=r.rid, orgunit=unit))
        else:
            linked.add(p.pid)
            unit = village_or_blank(p.village) or _town_of(p.village, units)
            for fld, src, reg in _conflicts(r, p):
                out.append(Finding(
                    key=f"{prefix}conflict:{r.record_id}:{fld}:{_digest(src)}", kind=CONFLICT,
                    record=r.rid, person=p.pid, field=fld, source_value=src, register_value=reg,
                    orgunit=unit, detail=_id_difference(src, reg) if fld == "id_number" else "",
                ))
            if r.present is False and p.residency == "registered_present" and p.death_date is None:
                out.append(Finding(
                    key=f"{prefix}absent:{r.record_id}", kind=ABSENT, record=r.rid, person=p.pid,
                    field="residency", source_value="不在本地居住", register_value=p.residency,
                    orgunit=unit,
                ))
            elif r.present is True and p.death_date is None and (
                (r.village in villages and r.village != p.village)
                or p.residency == "registered_absent"
            ):
                out.append(Finding(
                    key=f"{prefix}present:{r.record_id}:{r.village}", kind=PRESENT, record=r.rid,
                    person=p.pid, field="village", source_value=r.village,
                    register_value=p.village, orgunit=unit,
                ))
        if source_type == "births" and r.mother_person is not None and r.outcome:
            mother = persons.get(r.mother_person)
            when = r.birth_date
            if mother is not None and when is not None:
                near = [
                    o for d, o in (outcomes or {}).get(mother.pid, ())
                    if abs((d - when).days) <= OUTCOME_WINDOW_DAYS
                ]
                if r.outcome not in near:
                    out.append(Finding(
                        key=f"{prefix}conflict:{r.record_id}:outcome:{_digest(r.outcome)}",
                        kind=CONFLICT, record=r.rid, person=mother.pid, field="outcome",
                        source_value=r.outcome, register_value=near[0] if near else "",
                        orgunit=village_or_blank(mother.village), detail=when.isoformat(),
                    ))

    dup_partner: dict[int, set[int]] = {}
    for d in duplicates:
        dup_partner.setdefault(d.first, set()).add(d.second)
        dup_partner.setdefault(d.second, set()).add(d.first)
    for pid in sorted(coverage(source_type, persons.values(), records) - linked):
        if dup_partner.get(pid, set()) & linked:
            continue  # a duplicate of someone the source has: listed as a duplicate instead
        p = persons[pid]
        out.append(Finding(
            key=f"{prefix}missing:{pid}", kind=MISSING, person=pid,
            orgunit=village_or_blank(p.village) or _town_of(p.village, units),
        ))

    if with_register_lists:
        for d in duplicates:
            a, b = persons.get(d.first), persons.get(d.second)
            if a is None or b is None or a.merged or b.merged:
                continue
            out.append(Finding(
                key=f"dup:{d.first}:{d.second}", kind=DUPLICATE, person=d.first,
                other_person=d.second, orgunit=village_or_blank(a.village) or village_or_blank(b.village),
                detail=f"{d.score:g}分：{d.reason}",
            ))
        for p in persons.values():
            if not p.merged and p.death_date is None and p.village not in villages:
                out.append(Finding(
                    key=f"unmanaged:{p.pid}", kind=UNMANAGED, person=p.pid,
                    register_value=p.village, orgunit=_town_of(p.village, units),
                ))
    return out


def _id_difference(a: str, b: str) -> str:
    """Where two ID numbers differ, in words (the lists show them masked)."""
    if not b:
        return "本库无身份证号"
    if len(a) != len(b):
        return "位数不同"
    diff = [i + 1 for i in range(len(a)) if a[i] != b[i]]
    if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0] - 1] == b[diff[1] - 1]:
        return f"第{diff[0]}、{diff[1]}位颠倒"
    return "第" + "、".join(map(str, diff[:4])) + ("位等" if len(diff) > 4 else "位") + "不同"


def _marital_class(code: str) -> str:
    return "20" if code in MARRIED else code


def _conflicts(r: RecordFacts, p: PersonFacts) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    if r.id_number and r.id_number != p.id_number:
        out.append(("id_number", r.id_number, p.id_number))
    rn, pn = normalize_name(r.name), normalize_name(p.name)
    if rn and rn != pn:
        out.append(("name", r.name, p.name))
    if r.sex and p.sex and r.sex != p.sex:
        out.append(("sex", r.sex, p.sex))
    if r.birth_date and p.birth_date and r.birth_date != p.birth_date:
        out.append(("birth_date", _v(r.birth_date), _v(p.birth_date)))
    if r.marital_status and _marital_class(r.marital_status) != _marital_class(p.marital_status):
        out.append(("marital_status", r.marital_status, p.marital_status))
    if r.death_date and r.death_date != p.death_date:
        out.append(("death_date", _v(r.death_date), _v(p.death_date)))
    return out
