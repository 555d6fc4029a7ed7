"""Loading rules on small dirty bundles: each rejection reason, messy CSV, row order, keys."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from weiji.orgunits.models import Catchment, OrgUnit
from weiji.records.bundle import checks
from weiji.records.bundle.loader import load_bundle
from weiji.records.bundle.report import BundleError
from weiji.records.models import REQUIRED_BY_TYPE, Event
from weiji.records.tests.bundles import EVENTS, PERSONS, write_bundle
from weiji.registry.models import Person, ResidencyPeriod

pytestmark = pytest.mark.django_db

PERSON_HEAD = PERSONS.splitlines()[0]
EVENT_HEAD = EVENTS.splitlines()[0]


def errors(report, name: str) -> list[tuple[int, str, str]]:
    return sorted((e.row, e.column, e.reason) for e in report.files[name].errors)


def test_clean_bundle_loads_everything(tmp_path):
    report = load_bundle(write_bundle(tmp_path / "b"))
    assert {n: (f.read, f.loaded, f.rejected) for n, f in report.files.items()} == {
        "orgunits.csv": (5, 5, 0), "facilities.csv": (3, 3, 0),
        "persons.csv": (3, 3, 0), "events.csv": (4, 4, 0)}
    inflow = Person.objects.get(local_id="F1")
    assert inflow.residency_periods.get().valid_from == date(2024, 5, 1)
    assert Event.objects.get(event_id="E4").partner == inflow
    assert Event.objects.get(event_id="E3").dose == 1


@pytest.mark.parametrize("row, column, reason", [
    ("P1,,张三,1,1985/03/02,,370921100201,,registered_present,,,,,", "birth_date", "bad_date"),
    ("P1,,张三,1,19850302,,370921100201,,registered_present,,,,,", "birth_date", "bad_date"),
    ("P1,,张三,1,1985-02-30,,370921100201,,registered_present,,,,,", "birth_date", "bad_date"),
    ("P1,,张三,1,,,370921100201,,registered_present,,,,,", "birth_date", "missing"),
    (",,张三,1,1985-03-02,,370921100201,,registered_present,,,,,", "local_id", "missing"),
    ("P1,,,1,1985-03-02,,370921100201,,registered_present,,,,,", "name", "missing"),
    ("P1,,张三,M,1985-03-02,,370921100201,,registered_present,,,,,", "sex", "bad_enum"),
    ("P1,,张三,1,1985-03-02,,370921100201,,temporary,,,,,", "residency", "bad_enum"),
    ("P1,,张三,1,1985-03-02,,370921100201,,inflow,,,,,", "inflow_date", "missing"),
    ("P1,,张三,1,1985-03-02,,370921100201,,inflow,2025-13-01,,,,", "inflow_date", "bad_date"),
    ("P1,,张三,1,1985-03-02,,370921100201,,registered_present,,,25,,", "marital_status", "bad_enum"),
    ("P1,,张三,1,1985-03-02,,370921100201,,registered_present,,,,,不详", "death_date", "bad_date"),
    ("P1,,张三,1,1985-03-02,,,,registered_present,,,,,", "village_code", "missing"),
    ("P1,,张三,1,1985-03-02,,370921999999,,registered_present,,,,,", "village_code", "unknown_ref"),
    ("P1,,张三,1,1985-03-02,,370921100Z01,,registered_present,,,,,", "village_code", "unknown_ref"),
    ("P1,,张三,1,2020-03-02,,370921100201,,registered_present,,,,P999,", "mother_local_id", "unknown_ref"),
])
def test_person_rejections(tmp_path, row, column, reason):
    report = load_bundle(write_bundle(tmp_path / "b", persons=f"{PERSON_HEAD}\n{row}\n"))
    assert errors(report, "persons.csv") == [(2, column, reason)]
    assert not Person.objects.exists()


@pytest.mark.parametrize("row, column, reason", [
    ("X1,M1,pregnancy_registered,2024-10-20,,,,,,,,,,", "lmp", "missing"),
    ("X1,M1,pregnancy_registered,2024-10-20,2026-00-10,,,,,,,,,", "lmp", "bad_date"),
    ("X1,M1,pregnancy_outcome,2025-06-01,,,,,,,,,,", "outcome", "missing"),
    ("X1,M1,pregnancy_outcome,2025-06-01,,ectopic,,,,,,,,", "outcome", "bad_enum"),
    ("X1,M1,pregnancy_outcome,2025-06-01,,live_birth,2025-06-32,,,,,,,", "discharge_date", "bad_date"),
    ("X1,C1,vaccination,2025-06-01,,,,,1,,,,,", "vaccine", "missing"),
    ("X1,C1,vaccination,2025-06-01,,,,hepb,,,,,,", "dose", "missing"),
    ("X1,C1,vaccination,2025-06-01,,,,xyz,1,,,,,", "vaccine", "bad_enum"),
    ("X1,C1,vaccination,2025-06-01,,,,hepb,0,,,,,", "dose", "bad_enum"),
    ("X1,C1,vaccination,2025-06-01,,,,hepb,1.5,,,,,", "dose", "bad_enum"),
    ("X1,M1,contraception,2025-08-01,,,,,,,,,,", "method", "missing"),
    ("X1,M1,contraception,2025-08-01,,,,,,ring,,,,", "method", "bad_enum"),
    ("X1,M1,chronic_diagnosis,2025-08-01,,,,,,,,,,", "condition", "missing"),
    ("X1,M1,chronic_followup,2025-08-01,,,,,,,asthma,,,", "condition", "bad_enum"),
    (",M1,home_visit,2025-08-01,,,,,,,,,,", "event_id", "missing"),
    ("X1,,home_visit,2025-08-01,,,,,,,,,,", "person_local_id", "missing"),
    ("X1,M1,,2025-08-01,,,,,,,,,,", "type", "missing"),
    ("X1,M1,dental_checkup,2025-08-01,,,,,,,,,,", "type", "bad_enum"),
    ("X1,M1,home_visit,,,,,,,,,,,", "date", "missing"),
    ("X1,M1,home_visit,20260506,,,,,,,,,,", "date", "bad_date"),
    ("X1,M1,home_visit,2026-02-30,,,,,,,,,,", "date", "bad_date"),
    ("X1,P9,home_visit,2025-08-01,,,,,,,,,,", "person_local_id", "unknown_ref"),
    ("X1,M1,marriage,2015-08-01,,,,,,,,P9,,", "partner_local_id", "unknown_ref"),
    ("X1,M1,home_visit,2025-08-01,,,,,,,,,F9,", "facility_code", "unknown_ref"),
    ("X1,C1,newborn_visit,2025-05-31,,,,,,,,,,", "date", "before_birth"),
])
def test_event_rejections(tmp_path, row, column, reason):
    report = load_bundle(write_bundle(tmp_path / "b", events=f"{EVENT_HEAD}\n{row}\n"))
    assert errors(report, "events.csv") == [(2, column, reason)]
    assert not Event.objects.exists()


def test_every_type_specific_column_is_checked():
    handled = {checks.EVENT_COLUMNS[i] for i in checks.TYPE_REQUIRED_HANDLED}
    assert {c for cols in REQUIRED_BY_TYPE.values() for c in cols} <= handled


def test_orgunit_and_facility_rejections(tmp_path):
    orgunits = """code,name,level,parent_code,urban_rural
370921100201,东村,village,370921100Z01,220
370921100Z01,第一管区,zone,370921100,
370921100,城关镇,town,370921,
370921,示范县,county,,
370921200,新镇,town,,
370921100901,新村,hamlet,370921100,220
370921100902,新民村,village,370921100,999
370921100903,新立村,village,370921100,
370921100904,新华村,village,370921999,220
370921100905,,village,370921100,220
370921100906,坡村,village,370921100201,220
370921100Z09,错管区,zone,370921200,
370921100907,错村,village,370921100Z09,210
"""
    facilities = """code,name,kind,orgunit_code,serves
HC01,城关镇卫生院,health_center,370921100,370921100
X1,某药房,pharmacy,370921,
X2,某卫生院,health_center,370921888,
X3,,health_center,370921,
X4,某中心,community_center,370921100,370921100Z01;370921
X5,某中心,community_center,370921100,370921100907
"""
    report = load_bundle(write_bundle(tmp_path / "b", orgunits=orgunits, facilities=facilities,
                                      persons=None, events=None))
    assert errors(report, "orgunits.csv") == [
        (6, "parent_code", "missing"),
        (7, "level", "bad_enum"),
        (8, "urban_rural", "bad_enum"),
        (9, "urban_rural", "missing"),
        (10, "parent_code", "unknown_ref"),
        (11, "name", "missing"),
        (12, "parent_code", "unknown_ref"),  # a village is no parent
        (13, "parent_code", "unknown_ref"),  # its town was rejected
        (14, "parent_code", "unknown_ref"),  # its zone was rejected in turn
    ]
    assert report.files["orgunits.csv"].loaded == 4
    assert errors(report, "facilities.csv") == [
        (3, "kind", "bad_enum"),
        (4, "orgunit_code", "unknown_ref"),
        (5, "name", "missing"),
        (6, "serves", "unknown_ref"),  # a county is not served
        (7, "serves", "unknown_ref"),  # a rejected village
    ]
    assert OrgUnit.objects.get(code="370921100201").path == (
        "/370921/370921100/370921100Z01/370921100201/")
    assert list(Catchment.objects.values_list("facility_id", "orgunit_id")) == [
        ("HC01", "370921100")]


def test_rows_refer_forward_and_rejections_cascade(tmp_path):
    persons = f"""{PERSON_HEAD}
G1,,外孙,2,2024-01-01,,370921100201,,registered_present,,,,K1,
K1,,女儿,2,2000-01-01,,370921100201,,registered_present,,,,M1,
M1,,母亲,2,1975-01-01,,370921100201,,registered_present,,,,,
B1,,孙子,1,2024-01-01,,370921100201,,registered_present,,,,B2,
B2,,坏妈妈,2,2000-01-01,,370921100201,,registered_present,,,,B3,
B3,,未知,2,2000-13-01,,370921100201,,registered_present,,,,,
"""
    events = f"""{EVENT_HEAD}
X1,G1,newborn_visit,2024-01-05,,,,,,,,,,
X2,B1,newborn_visit,2024-01-05,,,,,,,,,,
"""
    report = load_bundle(write_bundle(tmp_path / "b", persons=persons, events=events))
    assert errors(report, "persons.csv") == [
        (5, "mother_local_id", "unknown_ref"),
        (6, "mother_local_id", "unknown_ref"),
        (7, "birth_date", "bad_date"),
    ]
    assert errors(report, "events.csv") == [(3, "person_local_id", "unknown_ref")]
    assert Person.objects.get(local_id="G1").mother.mother.local_id == "M1"


def test_messy_csv_is_read_as_the_format_says(tmp_path):
    persons = (
        "\ufeff local_id ,\tname\u3000,sex,birth_date,village_code,residency,remark\r\n"
        "\r\n"
        " P1 ,\u3000张三\t, 1 ,1985-03-02 , 370921100201,registered_present,\"多行\n备注\n第三行\"\r\n"
        "P2,李四,2,1990-01-01,370921100201,registered_present,x,extra,cells\r\n"
        "   \r\n"
        "P3,王五,1,1991-01-01,370921100201\r\n"
        "P4,\"赵\n六\",1,bad,370921100201,registered_present\r\n"
    )
    report = load_bundle(write_bundle(tmp_path / "b", persons=persons, events=None))
    file_report = report.files["persons.csv"]
    # Row numbers are physical lines: P1 starts on line 3, P3 on line 8 (short row:
    # residency is missing), P4 on line 9.
    assert (file_report.read, file_report.loaded) == (4, 2)
    assert errors(report, "persons.csv") == [(8, "residency", "missing"), (9, "birth_date", "bad_date")]
    p1 = Person.objects.get(local_id="P1")
    assert (p1.name, p1.sex, p1.birth_date) == ("张三", "1", date(1985, 3, 2))


def test_a_repeated_key_updates_the_earlier_row(tmp_path):
    persons = f"""{PERSON_HEAD}
M1,11010519900101058x,王芳,2,1990-01-01,,370921100201,H1,registered_present,,,,,
M1,,王芳芳,2,1990-01-01,,370921100202,H2,registered_absent,,,,,
M1,,错误,9,1990-01-01,,370921100202,H2,registered_absent,,,,,
"""
    events = f"""{EVENT_HEAD}
E1,M1,home_visit,2025-01-01,,,,,,,,,,甲
E1,M1,home_visit,2025-01-02,,,,,,,,,,乙
"""
    report = load_bundle(write_bundle(tmp_path / "b", persons=persons, events=events))
    assert (report.files["persons.csv"].loaded, report.files["persons.csv"].rejected) == (2, 1)
    assert report.files["events.csv"].loaded == 2
    person = Person.objects.get()
    assert (person.name, person.village_id, person.residency, person.id_number) == (
        "王芳芳", "370921100202", "registered_absent", "")
    assert ResidencyPeriod.objects.get().village_id == "370921100202"
    event = Event.objects.get()
    assert (event.date, event.performed_by) == (date(2025, 1, 2), "乙")


def test_invalid_id_numbers_are_kept_and_flagged(tmp_path):
    persons = f"""{PERSON_HEAD}
A1,11010519900101058x,甲,2,1990-01-01,,370921100201,,registered_present,,,,,
A2,110105199001010581,乙,2,1990-01-01,,370921100201,,registered_present,,,,,
A3,11010519900101058X,丙,2,1990-02-01,,370921100201,,registered_present,,,,,
A4,110105900101002,丁,2,1990-01-01,,370921100201,,registered_present,,,,,
"""
    report = load_bundle(write_bundle(tmp_path / "b", persons=persons, events=None))
    assert report.files["persons.csv"].loaded == 4
    assert report.invalid_id_numbers == ["A2", "A4"]
    status = dict(Person.objects.values_list("local_id", "id_status"))
    assert status == {"A1": "valid", "A2": "invalid", "A3": "inconsistent", "A4": "invalid"}
    assert Person.objects.get(local_id="A1").id_number == "11010519900101058X"


def test_references_resolve_against_what_is_loaded(tmp_path):
    load_bundle(write_bundle(tmp_path / "first"))
    later = tmp_path / "later"
    later.mkdir()
    (later / "events.csv").write_text(f"{EVENT_HEAD}\nE9,C1,child_checkup,2025-09-01,,,,,,,,,VC201,\n",
                                      encoding="utf-8")
    report = load_bundle(later)
    assert list(report.files) == ["events.csv"]
    assert Event.objects.get(event_id="E9").facility_id == "VC201"


def test_an_unreadable_file_is_not_half_loaded(tmp_path):
    good_rows = "".join(f"G{i},M1,home_visit,2025-01-01,,,,,,,,,,\n" for i in range(30_000))
    events = (EVENT_HEAD + "\n" + good_rows).encode("utf-8") + "X1,M1,home_visit,2025-01-01,,,,,,,,,,张\n".encode("gbk")
    with pytest.raises(BundleError) as caught:
        load_bundle(write_bundle(tmp_path / "b", events=events))
    assert "UTF-8" in str(caught.value)
    assert caught.value.report.files["persons.csv"].loaded == 3
    assert Person.objects.count() == 3
    assert not Event.objects.exists()


def test_the_command_fails_clearly_when_it_cannot_run(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("load", str(tmp_path / "nowhere"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError, match="holds no bundle file"):
        call_command("load", str(tmp_path / "empty"))


def test_over_long_text_is_cut_not_failing_the_file(tmp_path):
    persons = f"""{PERSON_HEAD}
L1,,{'长' * 70},2,1990-01-01,1380000000112345678901,370921100201,H1,registered_present,,3209811234,,,
"""
    events = f"""{EVENT_HEAD}
X1,L1,home_visit,2025-01-01,,,,,,,,,,{'医' * 80}
X2,L1,vaccination,2025-01-01,,,,hepb,40000,,,,,
"""
    report = load_bundle(write_bundle(tmp_path / "b", persons=persons, events=events))
    assert report.files["persons.csv"].loaded == 1
    person = Person.objects.get(local_id="L1")
    assert (len(person.name), person.hukou_division, len(person.phone)) == (60, "320981", 20)
    assert len(Event.objects.get(event_id="X1").performed_by) == 60
    assert errors(report, "events.csv") == [(3, "dose", "bad_enum")]


def test_a_failed_load_is_audited(tmp_path):
    from weiji.core.models import AuditEntry
    from weiji.records.services import bundle_load

    folder = write_bundle(tmp_path / "b", events="event_id,person_local_id\n\xff".encode("latin-1"))
    with pytest.raises(BundleError):
        bundle_load(source=folder)
    entry = AuditEntry.objects.get(action="import")
    assert "UTF-8" in entry.detail["error"]
    assert entry.detail["files"]["persons.csv"]["loaded"] == 3
