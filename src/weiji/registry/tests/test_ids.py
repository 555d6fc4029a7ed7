"""Citizen ID numbers (GB 11643): check digit, birth date, sex, 15→18 conversion."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weiji.registry.ids import (
    id_number_assess,
    id_number_birth_date,
    id_number_check_char,
    id_number_from_15,
    id_number_is_valid,
    id_number_normalize,
    id_number_problem,
    id_number_sex,
    name_search_keys,
)

areas = st.from_regex(r"[1-8][0-9]{5}", fullmatch=True)
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
sequences = st.integers(min_value=0, max_value=999)


def build(area: str, birth: date, seq: int) -> str:
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_number_check_char(first17)


def test_known_numbers():
    assert id_number_is_valid("11010519491231002X")
    assert id_number_is_valid("32098119991114878X")
    assert not id_number_is_valid("110105194912310021")
    assert id_number_birth_date("11010519491231002X") == date(1949, 12, 31)
    assert id_number_sex("11010519491231002X") == "2"


@given(areas, births, sequences)
def test_generated_numbers_are_valid_and_consistent(area, birth, seq):
    number = build(area, birth, seq)
    sex = "1" if seq % 2 else "2"
    assert id_number_problem(number) is None
    assessment = id_number_assess(number, birth_date=birth, sex=sex)
    assert assessment.status == "valid"
    assert assessment.issue == ""
    assert id_number_birth_date(number) == birth
    assert id_number_sex(number) == sex


@given(areas, births, sequences, st.integers(min_value=0, max_value=16),
       st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_is_invalid(area, birth, seq, position, shift):
    number = build(area, birth, seq)
    changed = str((int(number[position]) + shift) % 10)
    typo = number[:position] + changed + number[position + 1:]
    assert id_number_problem(typo) is not None
    assert id_number_assess(typo, birth_date=None, sex=None).status == "invalid"


@given(areas, births, sequences, st.sampled_from("0123456789X"))
def test_a_wrong_check_character_is_invalid(area, birth, seq, check):
    number = build(area, birth, seq)
    if check != number[-1]:
        problem = id_number_problem(number[:17] + check)
        assert problem == ("校验码错误", "wrong check digit")


def test_lower_case_x_is_accepted_and_stored_upper():
    assessment = id_number_assess(" 11010519491231002x ", birth_date=date(1949, 12, 31), sex="2")
    assert assessment.status == "valid"
    assert assessment.number == "11010519491231002X"
    assert id_number_normalize("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize("number, reason", [
    ("32098119930804084", "must be 17 digits followed by a digit or X"),
    ("3209812O2506239658", "must be 17 digits followed by a digit or X"),
    ("320981202613014331", "the birth-date part is not a real date"),
    ("320981199302300845", "the birth-date part is not a real date"),
    ("320981961018590", "legacy 15-digit number, convert it to 18 digits"),
    ("3209811993080408450", "must be 17 digits followed by a digit or X"),
])
def test_invalid_numbers_say_why(number, reason):
    assessment = id_number_assess(number, birth_date=None, sex=None)
    assert assessment.status == "invalid"
    assert assessment.issue_en == reason
    assert assessment.issue_zh


def test_inconsistent_birth_date_and_sex():
    number = build("320981", date(1990, 5, 6), 123)  # odd → male
    by_birth = id_number_assess(number, birth_date=date(1990, 5, 7), sex="1")
    assert by_birth.status == "inconsistent"
    assert "birth date" in by_birth.issue_en
    by_sex = id_number_assess(number, birth_date=date(1990, 5, 6), sex="2")
    assert by_sex.status == "inconsistent"
    assert "sex" in by_sex.issue_en
    both = id_number_assess(number, birth_date=date(1991, 1, 1), sex="2")
    assert "birth date" in both.issue_en and "sex" in both.issue_en


def test_no_number_is_none():
    assert id_number_assess("  ", birth_date=date(2026, 1, 1), sex="1").status == "none"


@given(st.from_regex(r"[1-8][0-9]{5}", fullmatch=True),
       st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), sequences)
def test_fifteen_digit_numbers_convert_to_valid_eighteen(area, birth, seq):
    legacy = f"{area}{birth:%y%m%d}{seq:03d}"
    converted = id_number_from_15(legacy)
    assert converted == build(area, birth, seq)
    assert id_number_assess(legacy, birth_date=birth, sex=None).status == "invalid"


def test_fifteen_digit_conversion_rejects_bad_input():
    assert id_number_from_15("110105491231002") == "11010519491231002X"
    with pytest.raises(ValueError):
        id_number_from_15("11010549123100")
    with pytest.raises(ValueError):
        id_number_from_15("110105491331002")  # month 13


def test_name_search_keys():
    assert name_search_keys("张怡悦") == ("zhangyiyue", "zyy")
    assert name_search_keys(" 李 A ") == ("lia", "la")
