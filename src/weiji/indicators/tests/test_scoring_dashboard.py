"""Performance scoring (items, weights, not-applicable items, ranking, bulletin) and dashboards."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from fractions import Fraction
from io import BytesIO

import pytest
from openpyxl import load_workbook

from weiji.core import testing as f
from weiji.indicators.scoring import SchemeError, check_items, score_villages
from weiji.indicators.services import scoring_scheme_save
from weiji.records.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    tree = f.make_tree()
    for village, checked in ((tree.v1, 2), (tree.v2, 1)):
        for n in range(2):
            p = f.make_person(village=village, name=f"老人{n}", sex="1", birth_date=date(1950, 1, 1))
            if n < checked:
                f.make_event(person=p, type="elderly_checkup", date=date(2026, 3, 3))
    # entered the day after the checkup (on time)
    Event.objects.update(created_at=datetime(2026, 3, 4, 9, tzinfo=UTC))
    return tree


ITEMS = [
    {"code": "elderly", "kind": "indicator", "label": "老年人健康管理率", "weight": 60,
     "params": {"indicator": "elderly_mgmt_rate", "population": "all", "target": "0.5"}},
    {"code": "timely", "kind": "timeliness", "label": "记录及时率", "weight": 40,
     "params": {"days": 7}},
    {"code": "tasks", "kind": "task_completion", "label": "任务完成率", "weight": 20, "params": {}},
]


def test_scores_breakdown_and_ranking(tree):
    counts = {"elderly_mgmt_rate": (
        {(tree.v1.code, "all"): 2, (tree.v2.code, "all"): 1},
        {(tree.v1.code, "all"): 2, (tree.v2.code, "all"): 2})}
    scores = score_villages(items=ITEMS, p1=date(2026, 3, 1), p2=date(2026, 3, 31),
                            villages=[tree.v2, tree.v1, tree.v3], indicator_counts=counts)
    by_code = {s.code: s for s in scores}
    v1, v2, v3 = by_code[tree.v1.code], by_code[tree.v2.code], by_code[tree.v3.code]
    # v1: elderly 2/2 capped at 60; entered the next day → timely 2/2 = 40; no tasks.
    assert v1.total == 100 and v1.items[2].score is None
    # v2: 1/2 = target 0.5 exactly → 60; timely 1/1 → 40
    assert v2.items[0].score == 60 and v2.total == 100
    assert v3.total is None and v3.rank is None
    assert [s.code for s in scores][:2] == [tree.v1.code, tree.v2.code]
    assert "得分 60.00 / 60.00" in v1.items[0].explain()
    assert "不计分" in v1.items[2].explain()
    half = score_villages(items=ITEMS[:1], p1=date(2026, 3, 1), p2=date(2026, 3, 31),
                          villages=[tree.v2], indicator_counts={"elderly_mgmt_rate": (
                              {(tree.v2.code, "all"): 1}, {(tree.v2.code, "all"): 4})})
    assert half[0].items[0].score == Fraction(30) and half[0].total == 50


@pytest.mark.parametrize("items, message", [
    ([], "no items"),
    ([{"code": "a", "kind": "nope", "weight": 1}], "unknown kind"),
    ([{"code": "a", "kind": "timeliness", "weight": 0}], "weight must be"),
    ([{"code": "a", "kind": "indicator", "weight": 1, "params": {}}], "params.indicator"),
])
def test_bad_schemes_are_refused(items, message):
    with pytest.raises(SchemeError, match=message):
        check_items(items)


def test_scores_page_bulletin_and_scheme(tree, client):
    admin = f.make_user(role="district_admin", orgunit=tree.county)
    client.force_login(admin)
    response = client.post("/indicators/scores/scheme/", {
        "name": "2026年考核方案", "items": json.dumps(ITEMS, ensure_ascii=False)})
    assert response.status_code == 302
    page = client.get("/indicators/scores/?period=2026-03")
    text = page.content.decode()
    assert "2026年考核方案" in text and "东村" in text and "得分 60.00 / 60.00" in text
    quarter = client.get("/indicators/scores/?period=2026-Q1")
    assert "2026年第1季度" in quarter.content.decode()
    xlsx = client.get("/indicators/scores/?period=2026-03&export=xlsx")
    wb = load_workbook(BytesIO(xlsx.content))
    assert wb.active["A1"].value == "卫生计生工作绩效考核通报"
    assert wb.active.cell(5, 2).value == "东村" and wb.active.cell(5, 1).value == 1
    assert "得分说明" in wb.sheetnames
    f.make_user(role="village_worker", orgunit=tree.v1, username="zhuanGan")
    workers = client.get("/indicators/scores/?period=2026-03&kind=worker")
    assert "zhuanGan" in workers.content.decode()
    with pytest.raises(SchemeError):
        scoring_scheme_save(user=f.make_user(role="town_office", orgunit=tree.town1),
                            name="x", items=ITEMS)


def test_dashboard_scope_and_exports(tree, client):
    office = f.make_user(role="town_office", orgunit=tree.town1)
    client.force_login(office)
    page = client.get("/indicators/?indicator=elderly_mgmt_rate&month=2026-03")
    text = page.content.decode()
    assert page.status_code == 200
    assert "echarts.min.js" in text and "chart-data" in text
    data = page.context["chart_data"]
    assert data["comparison"]["labels"] == ["东村", "西村"]
    assert data["comparison"]["values"] == [1.0, 0.5]
    assert data["trend"]["values"][-1] == 0.75
    # another town's unit cannot be picked: falls back to the user's own town
    other = client.get(f"/indicators/?unit={tree.town2.code}&indicator=elderly_mgmt_rate"
                       "&month=2026-03")
    assert other.context["board"].unit == tree.town1.code
    csv = client.get("/indicators/?indicator=elderly_mgmt_rate&month=2026-03&export=comparison")
    assert csv.content.decode().splitlines()[1] == f"东村,{tree.v1.code},2,2,1.0000"
    facility = f.make_user(role="facility_staff", facility=tree.f3)
    client.force_login(facility)
    page = client.get("/indicators/?indicator=elderly_mgmt_rate&month=2026-03")
    assert page.context["board"].unit in ("scope", tree.v3.code)
