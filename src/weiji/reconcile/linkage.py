"""Record linkage: match outside records to persons of the register (pure, no Django).

1. A valid ID number found in the register links at once (exact).
2. Otherwise candidates come from blocks — birth date + surname pinyin, full-name pinyin +
   birth year, village + surname + birth year, mother's ID + birth date (newborns) — and
   each candidate is scored field by field (Fellegi–Sunter style points, see `score_pair`).
3. Thresholds turn the best score into auto-link / review / no match; a best candidate
   that is not clearly ahead of the second goes to review.

The same scorer finds probable duplicate persons inside the register.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from weiji.reconcile.idnumbers import id_is_valid, id_typo
from weiji.reconcile.names import name_features

AUTO = "auto"
REVIEW = "review"
NONE = "none"


@dataclass(frozen=True, slots=True)
class Thresholds:
    auto: float = 35.0
    review: float = 20.0
    # A best candidate must lead the runner-up by this much to be linked automatically.
    margin: float = 8.0
    duplicate: float = 35.0
    max_block: int = 400


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(slots=True)
class Entity:
    """What linkage knows of a register person or a source record."""

    key: int
    id_number: str = ""
    name: str = ""
    sex: str = ""
    birth_date: dt.date | None = None
    village: str = ""
    mother_id_number: str = ""
    merged_into: int | None = None


@dataclass(frozen=True, slots=True)
class Link:
    key: int
    person: int | None
    status: str
    score: float
    reason: str
    runner_up: int | None = None


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    first: int
    second: int
    score: float
    reason: str


def _date_typo(a: dt.date, b: dt.date) -> bool:
    """A day apart, day and month swapped, or one digit of YYYYMMDD different."""
    if abs((a - b).days) == 1:
        return True
    if a.year == b.year and a.month == b.day and a.day == b.month:
        return True
    sa, sb = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    return sum(1 for x, y in zip(sa, sb, strict=True) if x != y) == 1


def score_pair(a: Entity, b: Entity) -> tuple[float, list[str]]:
    """Points for the hypothesis "a and b are the same person", with the reasons."""
    score = 0.0
    why: list[str] = []
    if a.id_number and b.id_number:
        if a.id_number == b.id_number:
            score += 40
            why.append("身份证号一致")
        else:
            typo = id_typo(a.id_number, b.id_number)
            both_valid = id_is_valid(a.id_number) and id_is_valid(b.id_number)
            if typo and not both_valid:
                score += 25
                why.append("身份证号疑似录入错误（" + ("一位数字不同" if typo == "digit" else "相邻两位颠倒") + "，校验位不符）")
            elif both_valid:
                score -= 30
                why.append("身份证号不同")
            else:
                score -= 10
                why.append("身份证号不同（一方无效）")
    na, nb = name_features(a.name), name_features(b.name)
    if na.norm and nb.norm:
        if na.norm == nb.norm:
            score += 20
            why.append("姓名一致")
        elif na.pinyin == nb.pinyin:
            score += 15
            why.append("姓名同音")
        elif na.fuzzy == nb.fuzzy:
            score += 10
            why.append("姓名近音")
        elif (
            len(na.norm) == len(nb.norm) and Levenshtein.distance(na.norm, nb.norm) == 1
        ) or Levenshtein.normalized_similarity(na.pinyin, nb.pinyin) >= 0.8:
            score += 4
            why.append("姓名相近")
        else:
            score -= 15
            why.append("姓名不同")
    if a.birth_date and b.birth_date:
        if a.birth_date == b.birth_date:
            score += 15
            why.append("出生日期一致")
        elif _date_typo(a.birth_date, b.birth_date):
            score += 3
            why.append("出生日期相近")
        else:
            score -= 20
            why.append("出生日期不同")
    if a.sex and b.sex:
        if a.sex == b.sex:
            score += 5
            why.append("性别一致")
        else:
            score -= 15
            why.append("性别不同")
    if a.village and b.village and a.village == b.village:
        score += 5
        why.append("同村")
    if a.mother_id_number and b.mother_id_number:
        if a.mother_id_number == b.mother_id_number:
            score += 15
            why.append("母亲身份证号一致")
        else:
            score -= 10
            why.append("母亲不同")
    return score, why


def _year(d: dt.date | None) -> int:
    return d.year if d else 0


class RegisterIndex:
    """The register's persons, blocked for candidate look-up."""

    def __init__(self, persons: Iterable[Entity], *, thresholds: Thresholds = DEFAULT_THRESHOLDS):
        self.thresholds = thresholds
        self.persons: dict[int, Entity] = {}
        self.by_id: dict[str, list[int]] = defaultdict(list)
        self.by_dob_surname: dict[tuple, list[int]] = defaultdict(list)
        self.by_pinyin_year: dict[tuple, list[int]] = defaultdict(list)
        self.by_village: dict[tuple, list[int]] = defaultdict(list)
        self.by_mother: dict[tuple, list[int]] = defaultdict(list)
        merged: list[Entity] = []
        for p in persons:
            if p.merged_into is not None:
                merged.append(p)
                continue
            self.persons[p.key] = p
            if p.id_number:
                self.by_id[p.id_number].append(p.key)
            nf = name_features(p.name)
            if p.birth_date and nf.surname:
                self.by_dob_surname[(p.birth_date, nf.surname)].append(p.key)
            if nf.fuzzy:
                self.by_pinyin_year[(nf.fuzzy, _year(p.birth_date))].append(p.key)
            if p.village and nf.surname:
                self.by_village[(p.village, nf.surname, _year(p.birth_date))].append(p.key)
            if p.mother_id_number and p.birth_date:
                self.by_mother[(p.mother_id_number, p.birth_date)].append(p.key)
        # A merged-away person's ID number still finds the person it was merged into.
        merged_map = {p.key: p.merged_into for p in merged}
        for p in merged:
            target = p.merged_into
            for _ in range(10):
                if target not in merged_map:
                    break
                target = merged_map[target]
            if p.id_number and target in self.persons and target not in self.by_id[p.id_number]:
                self.by_id[p.id_number].append(target)

    def candidates(self, rec: Entity) -> set[int]:
        found: set[int] = set()
        cap = self.thresholds.max_block
        nf = name_features(rec.name)
        keys: list[tuple[dict, tuple]] = []
        if rec.birth_date and nf.surname:
            keys.append((self.by_dob_surname, (rec.birth_date, nf.surname)))
        if nf.fuzzy:
            year = _year(rec.birth_date)
            for y in (year - 1, year, year + 1) if year else (0,):
                keys.append((self.by_pinyin_year, (nf.fuzzy, y)))
        if rec.village and nf.surname:
            keys.append((self.by_village, (rec.village, nf.surname, _year(rec.birth_date))))
        if rec.mother_id_number and rec.birth_date:
            keys.append((self.by_mother, (rec.mother_id_number, rec.birth_date)))
        for index, key in keys:
            block = index.get(key)
            if block and len(block) <= cap:
                found.update(block)
        if rec.id_number:
            found.update(self.by_id.get(rec.id_number, ()))
        return found

    def link(self, rec: Entity) -> Link:
        t = self.thresholds
        exact = self.by_id.get(rec.id_number, ()) if rec.id_number else ()
        if exact and id_is_valid(rec.id_number):
            if len(exact) == 1:
                return Link(rec.key, exact[0], AUTO, 100.0, "身份证号精确匹配")
            scored = sorted(
                ((score_pair(rec, self.persons[k]), k) for k in exact), key=lambda x: -x[0][0]
            )
            (score, why), best = scored[0]
            return Link(rec.key, best, AUTO, 100.0, "身份证号精确匹配（本库有多人同号，取最相符者）：" + "；".join(why))
        scored = sorted(
            ((score_pair(rec, self.persons[k]), k) for k in self.candidates(rec)),
            key=lambda x: (-x[0][0], x[1]),
        )
        if not scored:
            return Link(rec.key, None, NONE, 0.0, "无候选人")
        (score, why), best = scored[0]
        runner = scored[1] if len(scored) > 1 else None
        reason = "；".join(why)
        if score >= t.auto and (runner is None or score - runner[0][0] >= t.margin):
            return Link(rec.key, best, AUTO, score, reason)
        if score >= t.review:
            if runner is not None and score - runner[0][0] < t.margin:
                reason += f"；另有得分接近的候选人（{runner[0][0]:g}分）"
            return Link(rec.key, best, REVIEW, score, reason, runner[1] if runner else None)
        return Link(rec.key, None, NONE, score, "最佳候选人得分过低：" + reason)

    def duplicates(self) -> list[DuplicatePair]:
        """Probable duplicate persons: same ID number, or scored alike within a block."""
        t = self.thresholds
        pairs: dict[tuple[int, int], DuplicatePair] = {}
        for number, keys in self.by_id.items():
            live = sorted(k for k in set(keys) if self.persons[k].id_number == number)
            for i, a in enumerate(live):
                for b in live[i + 1:]:
                    pairs[(a, b)] = DuplicatePair(a, b, 100.0, "身份证号重复")
        for block_index in (self.by_dob_surname, self.by_pinyin_year):
            for keys in block_index.values():
                if len(keys) < 2 or len(keys) > t.max_block:
                    continue
                ordered = sorted(keys)
                for i, a in enumerate(ordered):
                    pa = self.persons[a]
                    for b in ordered[i + 1:]:
                        if (a, b) in pairs:
                            continue
                        score, why = score_pair(pa, self.persons[b])
                        if score >= t.duplicate:
                            pairs[(a, b)] = DuplicatePair(a, b, score, "；".join(why))
        return sorted(pairs.values(), key=lambda p: (p.first, p.second))
