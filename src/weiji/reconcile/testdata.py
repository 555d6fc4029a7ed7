"""A generated register and sources derived from it, with the known truth (pure, seeded).

Used by the precision/recall test and by bench/reconcile.py. The sources carry the errors
real feeds have: homophone and other name typos, one-digit and transposed ID digits
(failing the check digit), missing IDs, newborns without ID matched via the mother, moved,
absent and dead persons, people the register lacks, people the source lacks, duplicate
persons inside the register and persons whose village does not exist (空管).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from weiji.reconcile.idnumbers import check_char

COUNTY = "370303"
OTHER_COUNTIES = ("370102", "370203", "410105", "130104", "320106", "510107")
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
HOMOPHONES = (
    "丽莉俐利立力 静敬晶靖 华化 军君均 明鸣铭 红宏洪鸿 伟维玮炜 芳方 英莹瑛 娟涓 敏闽 燕艳雁 玲琳林 霞夏 杰洁 "
    "刚钢 平萍 勇永涌 秀绣 文雯 涛韬 斌彬 辉晖慧惠 梅玫 峰锋丰 婷亭 建剑健 志智 娜那 倩茜 欣新馨 佳家嘉 宇雨语 "
    "晨辰 浩昊皓 轩萱 怡宜仪 琪奇棋 涵寒 子紫梓"
).split()
OTHER_CHARS = "国庆淑珍桂兰凤英玉春海云飞亮磊超鹏成德福贵荣宁安乐思博睿泽一天小东南北山川松柏竹青"
GIVEN_CHARS = "".join(HOMOPHONES) + OTHER_CHARS
_HOMOPHONE_OF = {c: g for g in HOMOPHONES for c in g}

AS_OF = dt.date(2026, 10, 31)


@dataclass(slots=True)
class GenPerson:
    local_id: str
    id_number: str
    name: str
    sex: str
    birth_date: dt.date
    village: str
    residency: str
    marital_status: str = ""
    mother: str = ""
    death_date: dt.date | None = None
    inflow_date: dt.date | None = None
    hukou_division: str = COUNTY


@dataclass(slots=True)
class GenEvent:
    event_id: str
    person: str
    type: str
    date: dt.date
    outcome: str = ""


@dataclass
class Truth:
    links: dict[str, str] = field(default_factory=dict)  # record_id → local_id
    unlinked: set[str] = field(default_factory=set)  # record_ids
    missing: set[str] = field(default_factory=set)  # local_ids
    conflicts: set[tuple[str, str]] = field(default_factory=set)  # (record_id, field)
    absent: set[str] = field(default_factory=set)  # local_ids
    present: set[str] = field(default_factory=set)  # local_ids
    duplicates: set[frozenset[str]] = field(default_factory=set)
    unmanaged: set[str] = field(default_factory=set)


@dataclass
class Dataset:
    units: list[tuple[str, str, str, str]]  # code, name, level, parent
    persons: list[GenPerson]
    events: list[GenEvent]
    sources: dict[str, list[dict[str, str]]]
    truth: dict[str, Truth]


class _Gen:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.ids: set[str] = set()
        self.n = 0

    def name(self, sex: str) -> str:
        rng = self.rng
        given = "".join(rng.choice(GIVEN_CHARS) for _ in range(1 if rng.random() < 0.25 else 2))
        return rng.choice(SURNAMES) + given

    def id_number(self, birth: dt.date, sex: str, county: str = COUNTY) -> str:
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (1 if sex == "1" else 0)
            first17 = f"{county}{birth:%Y%m%d}{seq:03d}"
            number = first17 + check_char(first17)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def local_id(self) -> str:
        self.n += 1
        return f"P{self.n:07d}"

    def date_between(self, lo: dt.date, hi: dt.date) -> dt.date:
        return lo + dt.timedelta(days=self.rng.randrange((hi - lo).days + 1))


def homophone_typo(name: str, rng: random.Random) -> str:
    """Replace one given-name character by a homophone, if the name has one."""
    spots = [i for i in range(1, len(name)) if name[i] in _HOMOPHONE_OF]
    if not spots:
        return ""
    i = rng.choice(spots)
    choices = [c for c in _HOMOPHONE_OF[name[i]] if c != name[i]]
    return name[:i] + rng.choice(choices) + name[i + 1:]


def id_digit_typo(number: str, rng: random.Random) -> str:
    i = rng.randrange(0, 17)
    d = rng.choice([c for c in "0123456789" if c != number[i]])
    return number[:i] + d + number[i + 1:]


def id_transposition(number: str, rng: random.Random) -> str:
    spots = [i for i in range(0, 16) if number[i] != number[i + 1]]
    i = rng.choice(spots)
    return number[:i] + number[i + 1] + number[i] + number[i + 2:]


def generate(*, persons: int = 5000, seed: int = 7) -> Dataset:
    g = _Gen(seed)
    rng = g.rng
    n_towns = max(2, persons // 20000)
    n_villages = max(6, persons // 600)
    units: list[tuple[str, str, str, str]] = [(COUNTY, "测试区", "county", "")]
    towns = [f"{COUNTY}{i + 1:03d}" for i in range(n_towns)]
    units += [(t, f"第{i + 1}镇", "town", COUNTY) for i, t in enumerate(towns)]
    villages = []
    for i in range(n_villages):
        code = f"{towns[i % n_towns]}{200 + i // n_towns:03d}"
        villages.append(code)
        units.append((code, f"第{i + 1}村", "village", towns[i % n_towns]))

    people: list[GenPerson] = []
    events: list[GenEvent] = []
    women: list[GenPerson] = []
    born_lo = AS_OF - dt.timedelta(days=365)
    n_adults = int(persons * 0.97)
    for _ in range(n_adults):
        sex = rng.choice("12")
        birth = g.date_between(dt.date(1940, 1, 1), dt.date(2024, 12, 31))
        r = rng.random()
        residency = "registered_present" if r < 0.85 else ("inflow" if r < 0.95 else "registered_absent")
        county = rng.choice(OTHER_COUNTIES) if residency == "inflow" else COUNTY
        age = (AS_OF - birth).days // 365
        p = GenPerson(
            local_id=g.local_id(), id_number=g.id_number(birth, sex, county), name=g.name(sex),
            sex=sex, birth_date=birth, village=rng.choice(villages), residency=residency,
            marital_status=("20" if rng.random() < 0.8 else "10") if age >= 22 else "10",
            inflow_date=dt.date(2020, 5, 1) if residency == "inflow" else None,
            hukou_division=county,
        )
        if rng.random() < 0.003:
            p.death_date = g.date_between(dt.date(2024, 1, 1), AS_OF)
        people.append(p)
        if sex == "2" and 20 <= age <= 40 and p.death_date is None:
            women.append(p)
    newborns: list[GenPerson] = []
    for mother in rng.sample(women, min(len(women), persons - n_adults)):
        sex = rng.choice("12")
        birth = g.date_between(born_lo, AS_OF - dt.timedelta(days=3))
        child = GenPerson(
            local_id=g.local_id(),
            id_number=g.id_number(birth, sex) if rng.random() < 0.6 else "",
            name=mother.name[0] + "".join(rng.choice(GIVEN_CHARS) for _ in range(2)), sex=sex,
            birth_date=birth, village=mother.village, residency=mother.residency,
            mother=mother.local_id, hukou_division=mother.hukou_division,
            inflow_date=mother.inflow_date,
        )
        people.append(child)
        newborns.append(child)
    by_local = {p.local_id: p for p in people}

    # Register-side defects: unmanaged persons and duplicates.
    unmanaged = set()
    alive = [p for p in people[:n_adults] if p.death_date is None]
    for p in rng.sample(alive, max(1, persons // 300)):
        p.village = f"{towns[0]}9{rng.randrange(10, 99)}"
        unmanaged.add(p.local_id)
    duplicates: set[frozenset[str]] = set()
    dup_of: dict[str, str] = {}
    candidates = [p for p in people[:n_adults] if p.local_id not in unmanaged and p.death_date is None]
    for p in rng.sample(candidates, max(1, persons // 200)):
        copy = GenPerson(
            local_id=g.local_id(), id_number=p.id_number if rng.random() < 0.3 else "",
            name=homophone_typo(p.name, rng) or p.name, sex=p.sex, birth_date=p.birth_date,
            village=p.village, residency=p.residency, marital_status=p.marital_status,
            inflow_date=p.inflow_date, hukou_division=p.hukou_division,
        )
        people.append(copy)
        duplicates.add(frozenset((p.local_id, copy.local_id)))
        dup_of[p.local_id] = copy.local_id
    # Register ID typos (the source has the right number).
    register_typo: dict[str, str] = {}  # local_id → the true number
    for p in rng.sample(candidates, max(1, persons // 200)):
        if p.local_id in dup_of:
            continue
        register_typo[p.local_id] = p.id_number
        p.id_number = id_digit_typo(p.id_number, rng)

    # Mothers' pregnancy outcomes (5% missing: the hospital knows, the village doesn't).
    for child in newborns:
        if rng.random() < 0.95:
            events.append(GenEvent(f"E{len(events) + 1:07d}", child.mother, "pregnancy_outcome", child.birth_date, "live_birth"))

    sources = {
        "population_register": _population_source(g, people, by_local, villages, unmanaged, dup_of, register_typo),
        "births": _births_source(g, newborns, by_local, women, events),
    }
    for t in sources.values():
        t[1].unmanaged = set(unmanaged)
    sources["population_register"][1].duplicates = duplicates
    return Dataset(
        units=units, persons=people, events=events,
        sources={k: v[0] for k, v in sources.items()}, truth={k: v[1] for k, v in sources.items()},
    )


def _population_source(g, people, by_local, villages, unmanaged, dup_of, register_typo):
    rng = g.rng
    rows: list[dict[str, str]] = []
    truth = Truth()
    dup_copies = set(dup_of.values())
    for p in people:
        if p.local_id in dup_copies:
            continue
        if rng.random() < 0.02 and p.local_id not in register_typo and p.local_id not in dup_of:
            if p.death_date is None:
                truth.missing.add(p.local_id)
            continue
        rid = f"W{len(rows) + 1:07d}"
        mother = by_local.get(p.mother)
        row = {
            "record_id": rid, "id_number": p.id_number, "name": p.name, "sex": p.sex,
            "birth_date": p.birth_date.isoformat(), "village_code": p.village,
            "present": "0" if p.residency == "registered_absent" else "1",
            "marital_status": p.marital_status,
            "death_date": p.death_date.isoformat() if p.death_date else "",
            "mother_id_number": mother.id_number if mother else "",
        }
        truth.links[rid] = p.local_id
        fix_id = p.local_id in register_typo
        if fix_id:
            row["id_number"] = register_typo[p.local_id]  # the register holds a typo
            truth.conflicts.add((rid, "id_number"))
        protected = p.local_id in dup_of or fix_id
        r = rng.random()
        if not protected and r < 0.03:
            row["id_number"] = ""
        elif not protected and r < 0.05 and p.id_number:
            row["id_number"] = id_digit_typo(p.id_number, rng)
            truth.conflicts.add((rid, "id_number"))
        elif not protected and r < 0.06 and p.id_number:
            row["id_number"] = id_transposition(p.id_number, rng)
            truth.conflicts.add((rid, "id_number"))
        elif not p.id_number and p.mother and rng.random() < 0.3:
            row["id_number"] = g.id_number(p.birth_date, p.sex)
            truth.conflicts.add((rid, "id_number"))
        typo_name = ""
        r = rng.random() if p.local_id not in dup_of else 1.0
        if r < 0.03:
            typo_name = homophone_typo(p.name, rng)
        elif r < 0.04 and row["id_number"] and len(p.name) >= 2:
            i = rng.randrange(1, len(p.name))
            typo_name = p.name[:i] + rng.choice(GIVEN_CHARS) + p.name[i + 1:]
        if typo_name and typo_name != p.name:
            row["name"] = typo_name
            truth.conflicts.add((rid, "name"))
        if row["id_number"] and rng.random() < 0.01:
            row["birth_date"] = (p.birth_date + dt.timedelta(days=rng.choice((-1, 1, 10)))).isoformat()
            truth.conflicts.add((rid, "birth_date"))
        elif row["id_number"] and rng.random() < 0.003:
            row["sex"] = "1" if p.sex == "2" else "2"
            truth.conflicts.add((rid, "sex"))
        if p.marital_status and rng.random() < 0.01:
            row["marital_status"] = "40" if p.marital_status in ("20", "10") else "20"
            truth.conflicts.add((rid, "marital_status"))
        alive = p.death_date is None
        r = rng.random()
        if alive and r < 0.004:
            row["death_date"] = g.date_between(dt.date(2025, 1, 1), AS_OF).isoformat()
            truth.conflicts.add((rid, "death_date"))
        elif alive and r < 0.014 and p.residency == "registered_present" and p.local_id not in unmanaged:
            row["present"] = "0"
            truth.absent.add(p.local_id)
        elif alive and r < 0.024 and p.local_id not in unmanaged and row["present"] == "1":
            row["village_code"] = rng.choice([v for v in villages if v != p.village])
            truth.present.add(p.local_id)
        rows.append(row)
    # People the register lacks (漏管).
    for _ in range(max(1, len(people) // 100)):
        sex = rng.choice("12")
        birth = g.date_between(dt.date(1950, 1, 1), dt.date(2020, 12, 31))
        rid = f"W{len(rows) + 1:07d}"
        rows.append({
            "record_id": rid, "id_number": g.id_number(birth, sex) if rng.random() < 0.9 else "",
            "name": g.name(sex), "sex": sex, "birth_date": birth.isoformat(),
            "village_code": rng.choice(villages), "present": "1", "marital_status": "",
            "death_date": "", "mother_id_number": "",
        })
        truth.unlinked.add(rid)
    rng.shuffle(rows)
    return rows, truth


def _births_source(g, newborns, by_local, women, events):
    rng = g.rng
    rows: list[dict[str, str]] = []
    truth = Truth()
    with_outcome = {(e.person, e.date) for e in events}
    for child in newborns:
        mother = by_local[child.mother]
        if rng.random() < 0.02:
            if child.death_date is None:
                truth.missing.add(child.local_id)
            continue
        rid = f"B{len(rows) + 1:06d}"
        row = {
            "record_id": rid, "id_number": child.id_number if rng.random() < 0.5 else "",
            "name": child.name if rng.random() < 0.7 else "", "sex": child.sex,
            "birth_date": child.birth_date.isoformat(), "village_code": "",
            "mother_id_number": mother.id_number, "mother_name": mother.name,
            "outcome": "live_birth", "event_date": child.birth_date.isoformat(),
        }
        truth.links[rid] = child.local_id
        if (mother.local_id, child.birth_date) not in with_outcome:
            truth.conflicts.add((rid, "outcome"))
        if row["name"] and rng.random() < 0.03:
            typo = homophone_typo(child.name, rng)
            if typo:
                row["name"] = typo
                truth.conflicts.add((rid, "name"))
        if not child.id_number and rng.random() < 0.2:
            row["id_number"] = g.id_number(child.birth_date, child.sex)
            truth.conflicts.add((rid, "id_number"))
        rows.append(row)
    # Hospital births with no child in the register.
    mothers = {c.mother for c in newborns}
    for mother in rng.sample([w for w in women if w.local_id not in mothers], max(1, len(newborns) // 50)):
        sex = rng.choice("12")
        birth = g.date_between(AS_OF - dt.timedelta(days=300), AS_OF - dt.timedelta(days=3))
        rid = f"B{len(rows) + 1:06d}"
        rows.append({
            "record_id": rid, "id_number": "", "name": "", "sex": sex,
            "birth_date": birth.isoformat(), "village_code": "",
            "mother_id_number": mother.id_number, "mother_name": mother.name,
            "outcome": "live_birth", "event_date": birth.isoformat(),
        })
        truth.unlinked.add(rid)
        truth.conflicts.add((rid, "outcome"))
    rng.shuffle(rows)
    return rows, truth


def write_source_csv(rows: list[dict[str, str]], path) -> None:
    import csv

    fields = list(rows[0]) if rows else ["record_id", "name"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def dataset_load(ds: Dataset) -> dict[str, int]:
    """Write the generated units, persons and events into the database; local_id → pk."""
    from weiji.orgunits.models import OrgUnit
    from weiji.reconcile.idnumbers import id_is_valid
    from weiji.records.models import Event
    from weiji.registry.ids import name_search_keys
    from weiji.registry.models import IdStatus, Person

    paths: dict[str, str] = {}
    units = []
    for code, name, level, parent in ds.units:
        paths[code] = (paths[parent] if parent else "/") + code + "/"
        units.append(OrgUnit(code=code, name=name, level=level, parent_id=parent or None, path=paths[code],
                             urban_rural="210" if level == "village" else ""))
    OrgUnit.objects.bulk_create(units, batch_size=2000)
    objs = []
    for p in ds.persons:
        pinyin, initials = name_search_keys(p.name)
        status = (IdStatus.VALID if id_is_valid(p.id_number) else IdStatus.INVALID) if p.id_number else IdStatus.NONE
        objs.append(Person(
            local_id=p.local_id, id_number=p.id_number, id_status=status, name=p.name,
            name_pinyin=pinyin, name_initials=initials, sex=p.sex, birth_date=p.birth_date,
            village_id=p.village, residency=p.residency, inflow_date=p.inflow_date,
            hukou_division=p.hukou_division, marital_status=p.marital_status, death_date=p.death_date,
        ))
    Person.objects.bulk_create(objs, batch_size=2000)
    pk = dict(Person.objects.values_list("local_id", "id"))
    children = [Person(id=pk[p.local_id], mother_id=pk[p.mother]) for p in ds.persons if p.mother]
    Person.objects.bulk_update(children, ["mother"], batch_size=2000)
    Event.objects.bulk_create(
        [Event(event_id=e.event_id, person_id=pk[e.person], type=e.type, date=e.date, outcome=e.outcome) for e in ds.events],
        batch_size=2000,
    )
    return pk


def _pr(got: set, want: set) -> tuple[float, float, int, int]:
    tp = len(got & want)
    return (tp / len(got) if got else 1.0, tp / len(want) if want else 1.0, len(got), len(want))


def evaluate(ds: Dataset, source_type: str, source) -> dict[str, tuple[float, float, int, int]]:
    """Precision, recall, found and expected for the auto-links and each list of a source."""
    from weiji.reconcile.models import Discrepancy, Kind, SourceRecord
    from weiji.registry.models import Person

    truth = ds.truth[source_type]
    local = dict(Person.objects.values_list("id", "local_id"))
    recs = dict(SourceRecord.objects.filter(source=source).values_list("id", "record_id"))
    auto = {
        (rid, local[pid])
        for rid, pid in SourceRecord.objects.filter(source=source, active=True, link_status="auto").values_list("record_id", "person_id")
    }
    items = list(
        Discrepancy.objects.filter(status="open").filter(source=source).values_list("kind", "record_id", "person_id", "other_person_id", "field")
    ) + list(
        Discrepancy.objects.filter(status="open", source__isnull=True).values_list("kind", "record_id", "person_id", "other_person_id", "field")
    )
    by_kind: dict[str, set] = {k: set() for k in Kind.values}
    for kind, rec, person, other, fld in items:
        if kind == Kind.UNLINKED:
            by_kind[kind].add(recs[rec])
        elif kind == Kind.CONFLICT:
            by_kind[kind].add((recs[rec], fld))
        elif kind == Kind.DUPLICATE:
            by_kind[kind].add(frozenset((local[person], local[other])))
        elif kind != Kind.LINK_REVIEW:
            by_kind[kind].add(local[person])
    out = {"auto_links": _pr(auto, set(truth.links.items()))}
    want = {
        Kind.UNLINKED: truth.unlinked, Kind.MISSING: truth.missing, Kind.CONFLICT: truth.conflicts,
        Kind.ABSENT: truth.absent, Kind.PRESENT: truth.present, Kind.UNMANAGED: truth.unmanaged,
        Kind.DUPLICATE: truth.duplicates,
    }
    for kind, expected in want.items():
        if kind == Kind.DUPLICATE and source_type != "population_register":
            continue
        out[kind] = _pr(by_kind[kind], expected)
    out["review"] = (1.0, 1.0, len([i for i in items if i[0] == Kind.LINK_REVIEW]), 0)
    return out


def format_figures(figures: dict[str, tuple[float, float, int, int]]) -> str:
    lines = [f"{'list':14s} {'precision':>9s} {'recall':>8s} {'found':>8s} {'expected':>8s}"]
    for name, (p, r, got, want) in figures.items():
        lines.append(f"{name:14s} {p:9.4f} {r:8.4f} {got:8d} {want:8d}")
    return "\n".join(lines)
