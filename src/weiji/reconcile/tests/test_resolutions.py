"""Importing a file, the task lists it produces, resolving them, merging and undoing."""

from __future__ import annotations

import datetime as dt

import pytest

from weiji.core.models import AuditEntry
from weiji.reconcile import resolutions, services
from weiji.reconcile.models import (
    Discrepancy,
    Kind,
    LinkStatus,
    Merge,
    Resolution,
    SourceRecord,
    Status,
)
from weiji.reconcile.tests.conftest import V1, V2
from weiji.records.models import Event
from weiji.registry.models import Person

HEADER = "编号,公民身份号码,姓名,性别,出生日期,居住村,在住,婚姻状况\n"


def _import(tmp_path, world, body: str, column_map=None):
    path = tmp_path / "wis.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    source = services.source_create(code="wis", name="人口库", type="population_register", user=world.admin,
                                    column_map=column_map or {"record_id": "编号", "village_code": "居住村", "present": "在住"})
    snap = services.snapshot_import(source=source, path=path, user=world.admin)
    run = services.reconcile_run(source=source, user=world.admin)
    return source, snap, run


def _item(kind, **kw) -> Discrepancy:
    return Discrepancy.objects.get(kind=kind, status=Status.OPEN, **kw)


@pytest.fixture
def compared(tmp_path, world):
    body = (
        f"W1,{world.zhang.id_number},张莉,女,1990-01-01,{V1},是,离婚\n"  # homophone name, marital status
        f"W2,{world.wang.id_number},王伟,男,1985/05/05,{V2},是,已婚\n"  # lives in the other village
        f"W4,{world.chen.id_number},陈静,男,1970-07-07,{V2},否,\n"  # not living here
        "W9,,赵敏,女,2001-02-03,370303001202,是,\n"  # not in the register
        "W10,,钱七,男,not-a-date,,,\n"  # rejected row
    )
    return _import(tmp_path, world, body)


def test_import_and_lists(compared, world):
    source, snap, run = compared
    assert (snap.read, snap.loaded, snap.rejected) == (5, 4, 1)
    assert snap.errors[0]["row"] == 6 and snap.errors[0]["column"] == "birth_date"
    assert snap.file.name and snap.file.read().startswith("编号".encode())
    items = {(d.kind, d.field) for d in Discrepancy.objects.filter(status=Status.OPEN)}
    assert items == {
        (Kind.CONFLICT, "name"), (Kind.CONFLICT, "marital_status"), (Kind.PRESENT, "village"),
        (Kind.ABSENT, "residency"), (Kind.UNLINKED, ""), (Kind.DUPLICATE, ""),
        (Kind.MISSING, ""),  # the newborn P5 is not in the source
    }
    # 王伟's marital status is empty in the register: the source's 已婚 is listed too
    assert _item(Kind.CONFLICT, field="marital_status", person=world.wang).source_value == "20"
    assert _item(Kind.UNLINKED).orgunit_id == V2
    assert _item(Kind.DUPLICATE).orgunit_id == V1


def test_accept_source_and_keep_ours(compared, world):
    item = _item(Kind.CONFLICT, field="name")
    resolutions.discrepancy_resolve(item=item, resolution=Resolution.ACCEPT_SOURCE, user=world.worker)
    world.zhang.refresh_from_db()
    assert world.zhang.name == "张莉" and world.zhang.name_pinyin == "zhangli"
    item.refresh_from_db()
    assert item.status == Status.RESOLVED and item.resolved_by == world.worker
    assert AuditEntry.objects.filter(object_type="registry.person", object_id=str(world.zhang.pk),
                                     detail__field="name").exists()

    marital = _item(Kind.CONFLICT, field="marital_status", person=world.zhang)
    with pytest.raises(resolutions.ResolveError, match="理由"):
        resolutions.discrepancy_resolve(item=marital, resolution=Resolution.KEEP_OURS, user=world.worker)
    resolutions.discrepancy_resolve(item=marital, resolution=Resolution.KEEP_OURS, user=world.worker,
                                    note="民政记录有误，已核实")
    with pytest.raises(resolutions.ResolveError):
        resolutions.discrepancy_resolve(item=marital, resolution=Resolution.ACCEPT_SOURCE, user=world.worker)

    # a later run neither re-opens the kept value nor the accepted one
    run = services.reconcile_run(source=compared[0], user=world.admin)
    assert run.counts["created"] == 0
    assert not Discrepancy.objects.filter(kind=Kind.CONFLICT, status=Status.OPEN, person=world.zhang).exists()


def test_move_create_and_mark_out(compared, world):
    resolutions.discrepancy_resolve(item=_item(Kind.PRESENT), resolution=Resolution.ACCEPT_SOURCE, user=world.admin)
    world.wang.refresh_from_db()
    assert world.wang.village_id == V2 and world.wang.residency_periods.count() == 1

    resolutions.discrepancy_resolve(item=_item(Kind.ABSENT), resolution=Resolution.MARK_MOVED_OUT, user=world.admin)
    world.chen.refresh_from_db()
    assert world.chen.residency == "registered_absent"

    item = _item(Kind.UNLINKED)
    resolutions.discrepancy_resolve(item=item, resolution=Resolution.CREATE_PERSON, user=world.admin)
    created = Person.objects.get(name="赵敏")
    assert created.village_id == V2 and created.birth_date == dt.date(2001, 2, 3)
    rec = SourceRecord.objects.get(record_id="W9")
    assert rec.person == created and rec.link_status == LinkStatus.CONFIRMED

    run = services.reconcile_run(source=compared[0], user=world.admin)
    assert run.counts["items"].get(Kind.UNLINKED, 0) == 0
    assert run.counts["items"].get(Kind.PRESENT, 0) == 0


def test_merge_and_undo(compared, world):
    item = _item(Kind.DUPLICATE)
    assert {item.person_id, item.other_person_id} == {world.wang.pk, world.wang_dup.pk}
    resolutions.discrepancy_resolve(item=item, resolution=Resolution.MERGE, user=world.worker, survivor=world.wang.pk)
    world.wang_dup.refresh_from_db()
    assert world.wang_dup.merged_into_id == world.wang.pk
    assert Event.objects.get(event_id="E1").person_id == world.wang.pk  # history moved over
    merge = Merge.objects.get()
    assert merge.moved["events"] and merge.merged_id == world.wang_dup.pk

    # the next run neither links to nor lists the merged person
    run = services.reconcile_run(source=compared[0], user=world.admin)
    assert run.counts["items"].get(Kind.DUPLICATE, 0) == 0

    resolutions.merge_undo(merge=merge, user=world.worker)
    world.wang_dup.refresh_from_db()
    assert world.wang_dup.merged_into_id is None
    assert Event.objects.get(event_id="E1").person_id == world.wang_dup.pk
    item.refresh_from_db()
    assert item.status == Status.OPEN and item.resolution == ""
    with pytest.raises(resolutions.ResolveError):
        resolutions.merge_undo(merge=merge, user=world.worker)
    assert AuditEntry.objects.filter(object_type="reconcile.merge", detail__change="merge_undone").exists()


def test_merge_fills_and_restores_the_id(world):
    merge = resolutions.person_merge(survivor=world.wang_dup, merged=world.wang, user=world.admin)
    world.wang_dup.refresh_from_db()
    assert world.wang_dup.id_number == world.wang.id_number and world.wang_dup.id_status == "valid"
    assert world.wang_dup.phone == "13800000001"
    resolutions.merge_undo(merge=merge, user=world.admin)
    world.wang_dup.refresh_from_db()
    assert world.wang_dup.id_number == "" and world.wang_dup.id_status == "none" and world.wang_dup.phone == ""


def test_mapping_errors_name_the_column(tmp_path, world):
    path = tmp_path / "x.csv"
    path.write_text("甲,乙\n1,2\n", encoding="utf-8")
    source = services.source_create(code="x", name="x", type="other", user=world.admin, column_map={"name": "姓名列"})
    with pytest.raises(services.ImportError_, match="姓名列"):
        services.snapshot_import(source=source, path=path, user=world.admin)
    with pytest.raises(services.SourceError, match="unknown field"):
        services.source_update(source=source, user=world.admin, column_map={"nme": "x"})


def test_gb18030_and_xlsx(tmp_path, world):
    from openpyxl import Workbook

    source = services.source_create(code="hosp", name="医院", type="births", user=world.admin)
    path = tmp_path / "births.csv"
    path.write_bytes(("记录编号,姓名,性别,出生日期,母亲身份证号,妊娠结局\n"
                      f"B1,,男,2026-03-01,{world.zhang.id_number},活产\n").encode("gb18030"))
    snap = services.snapshot_import(source=source, path=path, user=world.admin)
    assert snap.loaded == 1
    wb = Workbook()
    ws = wb.active
    ws.append(["记录编号", "姓名", "性别", "出生日期", "母亲身份证号", "妊娠结局"])
    ws.append(["B1", None, 1, dt.datetime(2026, 3, 1), world.zhang.id_number, "活产"])
    ws.append(["B2", None, 2, dt.datetime(2026, 4, 1), world.chen.id_number, "死产"])
    wb.save(tmp_path / "births.xlsx")
    snap = services.snapshot_import(source=source, path=tmp_path / "births.xlsx", user=world.admin)
    assert (snap.loaded, SourceRecord.objects.filter(source=source).count()) == (2, 2)
    services.reconcile_run(source=source, user=world.admin)
    rec = SourceRecord.objects.get(record_id="B1")
    assert rec.person.local_id == "P5" and rec.mother_person == world.zhang and rec.link_status == "auto"
    # the mother has no pregnancy outcome recorded: accepting the hospital's creates it
    item = _item(Kind.CONFLICT, field="outcome", person=world.zhang)
    resolutions.discrepancy_resolve(item=item, resolution=Resolution.ACCEPT_SOURCE, user=world.admin)
    assert Event.objects.get(person=world.zhang, type="pregnancy_outcome").outcome == "live_birth"
