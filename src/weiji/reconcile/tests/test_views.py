"""Pages: source set-up by an administrator, scoping of the task lists, export."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from weiji.reconcile.models import Discrepancy, Kind, Source
from weiji.reconcile.tests.conftest import V1, V2


def test_admin_sets_up_a_source_and_uploads(client, world):
    client.force_login(world.admin)
    r = client.post("/reconcile/sources/new/", {"code": "wis", "name": "全员人口信息", "type": "population_register"})
    assert r.status_code == 302
    r = client.post("/reconcile/sources/wis/", {"action": "mapping", "record_id": "人员编码", "name": "XM"})
    assert Source.objects.get(code="wis").column_map == {"record_id": "人员编码", "name": "XM"}
    csv = ("人员编码,XM,身份证号,性别,出生日期,村居代码\n"
           f"A1,陈静,{world.chen.id_number},1,1970-07-07,{V2}\n"
           "A2,吴用,,1,1980-08-08,370303001201\n").encode()
    r = client.post("/reconcile/sources/wis/", {"action": "upload", "file": SimpleUploadedFile("wis.csv", csv)})
    assert r.status_code == 302
    page = client.get("/reconcile/sources/wis/").content.decode()
    assert "已导入 2 条" in page and "wis.csv" in page
    r = client.post("/reconcile/sources/wis/", {"action": "token"})
    assert "只显示这一次" in r.content.decode()
    r = client.post("/reconcile/sources/wis/", {"action": "upload", "file": SimpleUploadedFile("x.txt", b"a")})
    assert "只支持 CSV" in r.content.decode()


def test_worker_sees_only_own_village(client, world, tmp_path):
    from weiji.reconcile import services

    path = tmp_path / "w.csv"
    path.write_text("姓名,性别,出生日期,村居代码\n吴用,1,1980-08-08,370303001201\n孙二,2,1981-01-01,370303001202\n",
                    encoding="utf-8")
    source = services.source_create(code="visit", name="入户核查", type="other", user=world.admin)
    services.snapshot_import(source=source, path=path, user=world.admin)
    services.reconcile_run(source=source, user=world.admin)
    mine = Discrepancy.objects.get(kind=Kind.UNLINKED, orgunit_id=V1)
    theirs = Discrepancy.objects.get(kind=Kind.UNLINKED, orgunit_id=V2)
    client.force_login(world.worker)
    page = client.get(f"/reconcile/items/?kind={Kind.UNLINKED}").content.decode()
    assert "吴用" in page and "孙二" not in page
    assert client.get(f"/reconcile/items/{mine.pk}/").status_code == 200
    assert client.get(f"/reconcile/items/{theirs.pk}/").status_code == 404
    assert client.post(f"/reconcile/items/{theirs.pk}/resolve/", {"resolution": "keep_ours", "note": "x"}).status_code == 404
    assert client.get("/reconcile/sources/visit/").status_code == 403
    r = client.get("/reconcile/items/export.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    # the worker creates the person in their own village from the record
    r = client.post(f"/reconcile/items/{mine.pk}/resolve/", {"resolution": "create_person", "village": V1})
    mine.refresh_from_db()
    assert mine.status == "resolved" and mine.record.person.village_id == V1
    r = client.post(f"/reconcile/items/{mine.pk}/resolve/", {"resolution": "create_person", "village": V2})
    assert r.status_code == 403  # a village outside the worker's area
