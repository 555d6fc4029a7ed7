"""Citizen ID numbers (公民身份号码, GB 11643-1999) and name search keys.

An 18-character number is 6 digits of area code, 8 of birth date (YYYYMMDD), 3 of
sequence (odd = male, even = female) and a check character computed with ISO 7064
MOD 11-2. Legacy 15-digit numbers (YYMMDD, no check digit) can be converted with
:func:`id_number_from_15`; the loader itself treats them as invalid (the spec asks for
18 characters) and the person is flagged for correction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from weiji.registry.models import IdStatus

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_DIGITS = frozenset("0123456789")


@dataclass(frozen=True, slots=True)
class IdAssessment:
    """The outcome of checking a person's ID number against their birth date and sex."""

    number: str  # normalised (trimmed, lower-case x upper-cased)
    status: str  # an IdStatus value
    issue_zh: str = ""
    issue_en: str = ""

    @property
    def issue(self) -> str:
        """Both languages in one line, as stored on ``Person.id_issue``."""
        if not self.issue_zh:
            return ""
        return f"{self.issue_zh} / {self.issue_en}"[:200]


def id_number_normalize(raw: str | None) -> str:
    """Trim surrounding whitespace and upper-case a trailing ``x``."""
    value = (raw or "").strip()
    if value[-1:] == "x":
        value = value[:-1] + "X"
    return value


def id_number_check_char(first17: str) -> str:
    """The MOD 11-2 check character for 17 digits."""
    if len(first17) != 17 or not set(first17) <= _DIGITS:
        raise ValueError("需要17位数字 / 17 digits are needed")
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _real_date(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def id_number_problem(number: str) -> tuple[str, str] | None:
    """Why an (already normalised) number is invalid, as (zh, en); ``None`` when valid."""
    if len(number) == 15 and set(number) <= _DIGITS:
        return (
            "15位旧身份证号，需换成18位",
            "legacy 15-digit number, convert it to 18 digits",
        )
    if len(number) != 18 or not set(number[:17]) <= _DIGITS or number[17] not in "0123456789X":
        return (
            "应为17位数字加1位数字或X",
            "must be 17 digits followed by a digit or X",
        )
    if _real_date(number[6:14]) is None:
        return ("出生日期部分不是有效日期", "the birth-date part is not a real date")
    if id_number_check_char(number[:17]) != number[17]:
        return ("校验码错误", "wrong check digit")
    return None


def id_number_is_valid(raw: str | None) -> bool:
    number = id_number_normalize(raw)
    return bool(number) and id_number_problem(number) is None


def id_number_birth_date(number: str) -> date | None:
    """The birth date encoded in an 18-digit number (``None`` if it is not a real date)."""
    number = id_number_normalize(number)
    if len(number) != 18:
        return None
    return _real_date(number[6:14])


def id_number_sex(number: str) -> str | None:
    """``"1"`` (male, odd sequence digit) or ``"2"`` (female), ``None`` if unreadable."""
    number = id_number_normalize(number)
    if len(number) != 18 or number[16] not in _DIGITS:
        return None
    return "1" if int(number[16]) % 2 else "2"


def id_number_from_15(number: str) -> str:
    """Convert a legacy 15-digit number (YYMMDD, 19xx births) to the 18-digit form."""
    number = (number or "").strip()
    if len(number) != 15 or not set(number) <= _DIGITS:
        raise ValueError("不是15位数字 / not a 15-digit number")
    first17 = number[:6] + "19" + number[6:]
    if _real_date(first17[6:14]) is None:
        raise ValueError(
            "出生日期部分不是有效日期 / the birth-date part is not a real date"
        )
    return first17 + id_number_check_char(first17)


def id_number_assess(raw: str | None, *, birth_date: date | None, sex: str | None) -> IdAssessment:
    """Status of a person's ID number: none, invalid, inconsistent (with birth date/sex), valid."""
    number = id_number_normalize(raw)
    if not number:
        return IdAssessment(number="", status=IdStatus.NONE)
    problem = id_number_problem(number)
    if problem is not None:
        return IdAssessment(number, IdStatus.INVALID, *problem)
    zh: list[str] = []
    en: list[str] = []
    if birth_date is not None and _real_date(number[6:14]) != birth_date:
        zh.append(f"号码中的出生日期{number[6:10]}-{number[10:12]}-{number[12:14]}与登记的出生日期不一致")
        en.append("the birth date in the number differs from the recorded birth date")
    if sex in ("1", "2") and id_number_sex(number) != sex:
        zh.append("号码中的性别与登记的性别不一致")
        en.append("the sex digit differs from the recorded sex")
    if zh:
        return IdAssessment(number, IdStatus.INCONSISTENT, "；".join(zh), "; ".join(en))
    return IdAssessment(number, IdStatus.VALID)


@lru_cache(maxsize=65536)
def _char_pinyin(char: str) -> str:
    from pypinyin import lazy_pinyin

    if char.isascii():
        return char.lower() if char.isalnum() else ""
    syllables = lazy_pinyin(char, errors="ignore")
    return syllables[0].lower() if syllables else ""


def name_search_keys(name: str) -> tuple[str, str]:
    """Pinyin (``"zhangsan"``) and initials (``"zs"``) of a name, for search.

    Characters are read one by one (names do not follow phrase readings), ASCII letters
    and digits are kept lower-cased, anything else is dropped.
    """
    syllables = [s for s in (_char_pinyin(c) for c in name.strip()) if s]
    return "".join(syllables)[:200], "".join(s[0] for s in syllables)[:20]
