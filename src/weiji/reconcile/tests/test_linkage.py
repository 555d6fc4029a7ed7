"""Linkage and the lists, as pure functions (table-driven)."""

from __future__ import annotations

import datetime as dt

import pytest

from weiji.reconcile import findings as F
from weiji.reconcile.idnumbers import check_char, id_is_valid, id_typo
from weiji.reconcile.linkage import AUTO, NONE, REVIEW, Entity, RegisterIndex, score_pair
from weiji.reconcile.names import name_features

D = dt.date


def idn(first17: str) -> str:
    return first17 + check_char(first17)


ZHANG_LI = idn("37030319900101002")  # female, 1990-01-01
WANG_WEI = idn("37030319850505001")


def register() -> RegisterIndex:
    return RegisterIndex([
        Entity(1, ZHANG_LI, "张丽", "2", D(1990, 1, 1), "V1"),
        Entity(2, WANG_WEI, "王伟", "1", D(1985, 5, 5), "V1"),
        Entity(3, "", "王伟", "1", D(1985, 5, 5), "V2"),  # a duplicate without ID
        Entity(4, "", "李小宝", "1", D(2026, 3, 1), "V1", mother_id_number=ZHANG_LI),
        Entity(5, idn("37030319700707003"), "陈静", "1", D(1970, 7, 7), "V2"),
    ])


def test_homophones_and_fuzzy_pinyin():
    assert name_features("张丽").pinyin == name_features("张莉").pinyin == "zhangli"
    assert name_features("刘玲").fuzzy == name_features("刘林").fuzzy
    assert name_features("欧阳娜娜").surname == name_features("欧阳娜").surname


def test_id_typo_shapes():
    typo = ZHANG_LI[:10] + ("3" if ZHANG_LI[10] != "3" else "4") + ZHANG_LI[11:]
    assert not id_is_valid(typo) and id_typo(typo, ZHANG_LI) == "digit"
    swapped = ZHANG_LI[:13] + ZHANG_LI[14] + ZHANG_LI[13] + ZHANG_LI[15:]
    assert ZHANG_LI[13] != ZHANG_LI[14] and id_typo(swapped, ZHANG_LI) == "transposition"
    assert id_typo(WANG_WEI, ZHANG_LI) == ""


@pytest.mark.parametrize(
    "record, person, status, reason",
    [
        (Entity(10, ZHANG_LI, "张丽", "2", D(1990, 1, 1)), 1, AUTO, "身份证号精确匹配"),
        (Entity(11, "", "张莉", "2", D(1990, 1, 1), "V1"), 1, AUTO, "姓名同音"),
        (Entity(12, ZHANG_LI[:5] + "9" + ZHANG_LI[6:], "张丽", "2", D(1990, 1, 1)), 1, AUTO, "身份证号疑似录入错误"),
        (Entity(13, "", "", "1", D(2026, 3, 1), mother_id_number=ZHANG_LI), 4, AUTO, "母亲身份证号一致"),
        # two register persons fit equally: a person must decide
        (Entity(14, "", "王伟", "1", D(1985, 5, 5)), 2, REVIEW, "另有得分接近的候选人"),
        (Entity(15, "", "赵敏", "2", D(2000, 2, 2)), None, NONE, "无候选人"),
        # same name and date but a different valid ID: not the same person
        (Entity(16, idn("37030319900101024"), "张丽", "2", D(1990, 1, 1)), None, NONE, "身份证号不同"),
    ],
)
def test_link(record, person, status, reason):
    link = register().link(record)
    assert (link.person, link.status) == (person, status), link
    assert reason in link.reason


def test_scores_are_explained():
    score, why = score_pair(Entity(1, "", "张丽", "2", D(1990, 1, 1)), Entity(2, "", "张莉", "1", D(1990, 1, 2)))
    assert why == ["姓名同音", "出生日期相近", "性别不同"] and score == 15 + 3 - 15


def test_register_duplicates():
    pairs = register().duplicates()
    assert [(p.first, p.second) for p in pairs] == [(2, 3)]


def test_findings_lists():
    persons = {
        1: F.PersonFacts(1, "张丽", "2", D(1990, 1, 1), ZHANG_LI, "V1", "registered_present", "20"),
        2: F.PersonFacts(2, "王伟", "1", D(1985, 5, 5), WANG_WEI, "V1", "registered_present", "20"),
        3: F.PersonFacts(3, "李四", "1", D(1960, 1, 1), "", "X9", "registered_present"),
        4: F.PersonFacts(4, "赵五", "1", D(1961, 1, 1), "", "V2", "registered_present"),
    }
    records = [
        F.RecordFacts(100, "r1", 1, AUTO, name="张莉", sex="2", birth_date=D(1990, 1, 1), present=False, marital_status="40"),
        F.RecordFacts(101, "r2", 2, AUTO, name="王伟", sex="1", birth_date=D(1985, 5, 5), village="V2", present=True),
        F.RecordFacts(102, "r3", None, NONE, name="钱六", village="V1"),
    ]
    found = F.compute_findings(source_code="s", source_type="population_register", records=records,
                               persons=persons, villages={"V1", "V2"}, units={"V1", "V2"})
    got = sorted((f.kind, f.record or f.person, f.field) for f in found)
    assert got == [
        ("absent", 100, "residency"),
        ("conflict", 100, "marital_status"),
        ("conflict", 100, "name"),
        ("missing", 3, ""),
        ("missing", 4, ""),
        ("present", 101, "village"),
        ("unlinked", 102, ""),
        ("unmanaged", 3, ""),
    ]
    assert len({f.key for f in found}) == len(found)
