"""The event form and the bundle upload page (records views)."""

import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from weiji.core import testing as f
from weiji.core.models import AuditEntry
from weiji.records.models import Event
from weiji.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def tree():
    return f.make_tree()


@pytest.fixture
def woman(tree, client):
    client.force_login(f.make_user(role="village_doctor", orgunit=tree.v1))
    return f.make_person(village=tree.v1, name="周婷", birth_date=date(1995, 1, 1))


def post_event(client, person, **data):
    return client.post(reverse("records:event_new", args=[person.pk]), data)


def test_event_form_records_and_audits(client, woman):
    r = post_event(client, woman, type="pregnancy_registered", date="2025-03-01",
                   lmp="2025-01-20", vaccine="", method="")
    assert r.status_code == 302
    event = Event.objects.get(person=woman)
    assert (event.type, event.lmp, event.source_system) == (
        "pregnancy_registered", date(2025, 1, 20), "weiji-web")
    assert AuditEntry.objects.filter(action="create", object_type="records.event",
                                     object_id=str(event.pk)).exists()


@pytest.mark.parametrize("data,message", [
    ({"type": "pregnancy_registered", "date": "2025-03-01"}, "孕情登记须填写末次月经"),
    ({"type": "pregnancy_outcome", "date": "2025-03-01"}, "妊娠结局须填写妊娠结局"),
    ({"type": "vaccination", "date": "2025-03-01", "dose": "1"}, "预防接种须填写疫苗"),
    ({"type": "vaccination", "date": "2025-03-01", "dose": "0"}, "剂次须为正整数"),
    ({"type": "contraception", "date": "2025-03-01"}, "须填写避孕方法"),
    ({"type": "chronic_followup", "date": "2025-03-01"}, "须填写慢病种类"),
    ({"type": "home_visit", "date": "1990-01-01"}, "日期不能早于出生日期"),
    ({"type": "home_visit", "date": "2999-01-01"}, "日期不能晚于今天"),
    ({"type": "", "date": "2025-03-01"}, "请选择事件类型"),
    ({"type": "pregnancy_outcome", "date": "2025-03-01", "outcome": "live_birth",
      "discharge_date": "2025-02-01"}, "出院日期不能早于结局日期"),
])
def test_event_form_validation_messages(client, woman, data, message):
    r = post_event(client, woman, **data)
    assert r.status_code == 200
    assert message in r.content.decode()
    assert not Event.objects.exists()


def test_event_form_keeps_only_the_fields_of_the_type(client, woman):
    r = post_event(client, woman, type="contraception", date="2025-03-01", method="iud",
                   lmp="2025-01-01", outcome="live_birth")
    assert r.status_code == 302
    event = Event.objects.get()
    assert (event.method, event.lmp, event.outcome) == ("iud", None, "")


def test_vaccination_uses_the_schedule(client, tree):
    from weiji.rules.schedule import default_schedule

    client.force_login(f.make_user(role="village_doctor", orgunit=tree.v1))
    child = f.make_person(village=tree.v1, name="小明", sex="1", birth_date=date(2024, 1, 1))
    vaccine = sorted(default_schedule().vaccines())[0]
    r = post_event(client, child, type="vaccination", date="2024-03-01", vaccine=vaccine,
                   dose="1")
    assert r.status_code == 302
    assert Event.objects.get().vaccine == vaccine


def test_marriage_partner_in_scope(client, tree, woman):
    number = f.make_id_number(birth_date=date(1993, 1, 1), sex="1")
    husband = f.make_person(village=tree.v1, name="吴刚", sex="1", birth_date=date(1993, 1, 1),
                            id_number=number)
    r = post_event(client, woman, type="marriage", date="2024-10-01", partner_ref=number)
    assert r.status_code == 302
    assert Event.objects.get().partner == husband


def _zip(files: dict[str, str], folder: str = "bundle") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in files.items():
            zf.writestr(f"{folder}/{name}" if folder else name, text)
    return buffer.getvalue()


BUNDLE = {
    "orgunits.csv": "code,name,level,parent_code,urban_rural\n"
                    "510101,示例区,county,,\n510101001,一镇,town,510101,\n"
                    "510101001001,一村,village,510101001,220\n",
    "facilities.csv": "code,name,kind,orgunit_code,serves\n"
                      "H1,一镇卫生院,health_center,510101001,510101001\n",
    "persons.csv": "local_id,name,sex,birth_date,village_code,residency\n"
                   "P1,甲,2,1990-01-01,510101001001,registered_present\n"
                   "P2,乙,2,1990/01/01,510101001001,registered_present\n",
    "events.csv": "event_id,person_local_id,type,date\n",
}


@pytest.fixture
def admin(client, tree):
    user = f.make_user(role="district_admin", orgunit=tree.county)
    client.force_login(user)
    return user


def test_upload_zip_shows_counts_and_errors_and_downloads_them(client, admin):
    upload = SimpleUploadedFile("bundle.zip", _zip(BUNDLE), content_type="application/zip")
    r = client.post(reverse("records:upload"), {"bundle": upload})
    html = r.content.decode()
    assert r.status_code == 200 and 'id="load-summary"' in html
    assert Person.objects.filter(local_id="P1").exists()
    assert not Person.objects.filter(local_id="P2").exists()
    assert "birth_date" in html and "日期无法解析" in html
    token = r.context["token"]
    r = client.get(reverse("records:upload_errors", args=[token]))
    assert r.status_code == 200
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    rows = list(workbook["errors"].iter_rows(values_only=True))
    assert rows[1][0] == "persons.csv" and rows[1][1] == 3
    assert AuditEntry.objects.filter(action="export", object_type="bundle_errors").exists()
    assert AuditEntry.objects.filter(action="import").exists()


def test_upload_xlsx(client, admin):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, text in BUNDLE.items():
        sheet = workbook.create_sheet(name.removesuffix(".csv"))
        for line in text.strip().splitlines():
            sheet.append(line.split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("bundle.xlsx", buffer.getvalue())
    r = client.post(reverse("records:upload"), {"bundle": upload})
    assert r.status_code == 200 and 'id="load-summary"' in r.content.decode()
    assert Person.objects.filter(local_id="P1").exists()


def test_upload_refuses_bad_files(client, admin):
    r = client.post(reverse("records:upload"),
                    {"bundle": SimpleUploadedFile("x.txt", b"hello")})
    assert "只接受 .zip" in r.content.decode()
    r = client.post(reverse("records:upload"),
                    {"bundle": SimpleUploadedFile("x.zip", b"not a zip")})
    assert "不是有效的 zip 文件" in r.content.decode()
    evil = _zip({"../evil.csv": "a\n"}, folder="")
    r = client.post(reverse("records:upload"), {"bundle": SimpleUploadedFile("e.zip", evil)})
    assert "路径不安全" in r.content.decode()
    empty = _zip({"readme.txt": "x"})
    r = client.post(reverse("records:upload"), {"bundle": SimpleUploadedFile("e.zip", empty)})
    assert "没有 CSV 文件" in r.content.decode()


def test_error_download_only_for_the_uploading_session(client, admin, tree):
    upload = SimpleUploadedFile("bundle.zip", _zip(BUNDLE))
    token = client.post(reverse("records:upload"), {"bundle": upload}).context["token"]
    other = f.make_user(role="district_admin", orgunit=tree.county)
    client.force_login(other)
    assert client.get(reverse("records:upload_errors", args=[token])).status_code == 404
