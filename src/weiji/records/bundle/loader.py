"""Loading a bundle (数据包导入): orgunits, facilities, persons, events — in that order.

Each file is loaded in its own transaction: when a file cannot be read or the database
fails, nothing of that file is written and :class:`BundleError` is raised. Rows that break
a rule are rejected and reported; every other row is loaded (upserted by its key).

References resolve against the whole bundle and what is already loaded. Orgunits and
persons can refer to rows further down the same file, so their references are settled
over the whole file first (a row that refers to a rejected row is rejected too) and the
file is then read a second time to write it. Events refer only to persons and
facilities, so they stream in one pass; only compact key sets are kept in memory.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from weiji.orgunits.models import Catchment, Facility, OrgUnit, OrgUnitLevel
from weiji.records.bundle import checks
from weiji.records.bundle.reader import TableSource, bundle_tables
from weiji.records.bundle.report import BundleError, FileReport, LoadReport, RowError
from weiji.records.bundle.store import Store
from weiji.records.models import Event
from weiji.registry.ids import id_number_assess, name_search_keys
from weiji.registry.models import IdStatus, Person, ResidencyPeriod
from weiji.rules.schedule import default_schedule

Progress = Callable[[str], None]

# Bundle column → the database column it fills (for "which columns does the file have").
_PERSON_DB = {"village_code": "village_id"}
_EVENT_DB = {"person_local_id": "person_id", "partner_local_id": "partner_id",
             "facility_code": "facility_id"}


def load_bundle(source: Path, *, user_id: int | None = None,
                progress: Progress | None = None) -> LoadReport:
    """Load every table of the bundle at ``source`` (folder or .xlsx) and report."""
    started = time.monotonic()
    tables = bundle_tables(Path(source))
    report = LoadReport(source=str(source))
    loaders = {"orgunits": _load_orgunits, "facilities": _load_facilities,
               "persons": _load_persons, "events": _load_events}
    for table in tables:
        file_report = FileReport(table.file_name)
        report.files[table.file_name] = file_report
        try:
            with transaction.atomic():
                loaders[table.table](table, file_report, report, user_id)
        except BundleError as exc:
            del report.files[table.file_name]
            exc.report = report
            raise
        except DatabaseError as exc:
            del report.files[table.file_name]
            error = BundleError(
                f"{table.describe()}：数据库错误，本文件未导入任何数据（{exc}）/ "
                f"{table.describe()}: database error, nothing of this file was loaded ({exc})"
            )
            error.report = report
            raise error from exc
        if progress is not None:
            progress(file_report.summary())
    _refresh_statistics()
    report.seconds = time.monotonic() - started
    return report


def _refresh_statistics() -> None:
    """PostgreSQL: give the planner fresh statistics after a load (autovacuum may be off or
    late; without them a village's list scans every event instead of using the indexes)."""
    if connection.vendor != "postgresql":
        return
    tables = [Person._meta.db_table, Event._meta.db_table, ResidencyPeriod._meta.db_table]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _warn_missing_columns(rows, table: str, file_report: FileReport) -> None:
    missing = [c for c in checks.ALWAYS_REQUIRED[table] if c in rows.missing_columns]
    if missing:
        file_report.warnings.append(
            f"表头缺少必填列 {', '.join(missing)}，所有行都会被拒绝 / "
            f"the header lacks required column(s) {', '.join(missing)}: every row is rejected"
        )


def _warn_clipped(file_report: FileReport, line: int, cells: dict[str, str],
                  limits: dict[str, int]) -> None:
    """Report (never silently drop) the part of a value longer than its column holds."""
    for column, value in cells.items():
        limit = limits[column]
        if len(value) > limit:
            file_report.warnings.append(
                f"第{line}行 {column}：超过{limit}个字符，已截断保存 / line {line}, {column}: "
                f"longer than {limit} characters, stored cut to that length ({value!r})"
            )


_PERSON_LIMITS = {"local_id": 40, "id_number": 40, "name": 60, "phone": 20,
                  "household_id": 40, "hukou_division": 6, "mother_local_id": 40}
_EVENT_LIMITS = {"event_id": 60, "performed_by": 60, "signed_by": 60, "source_system": 60}


# -- orgunits ------------------------------------------------------------------------
def _load_orgunits(source: TableSource, file_report: FileReport, report: LoadReport,
                   user_id) -> None:
    rows = source.open_rows(checks.ORGUNIT_COLUMNS)
    accepted: list[tuple[int, tuple[str, ...]]] = []
    errors: dict[int, RowError] = {}
    for line, values in rows:
        file_report.read += 1
        problem = checks.orgunit_problem(values)
        if problem is None:
            accepted.append((line, values))
        else:
            errors[line] = RowError(line, *problem)
    _warn_missing_columns(rows, "orgunits", file_report)
    known = dict(OrgUnit.objects.values_list("code", "level"))
    # Settle parent references over the whole file: drop rows whose parent is missing,
    # rejected or of the wrong level, until nothing changes.
    while True:
        levels = dict(known)
        levels.update((v[0], v[2]) for _, v in accepted)
        keep = []
        for line, values in accepted:
            level, parent = values[2], values[3]
            if level != OrgUnitLevel.COUNTY and levels.get(parent) not in checks.PARENT_LEVELS[level]:
                errors[line] = RowError(line, "parent_code", "unknown_ref", parent)
            else:
                keep.append((line, values))
        if len(keep) == len(accepted):
            break
        accepted = keep
    for line, v in accepted:
        if len(v[0]) > 20 or len(v[1]) > 100:
            _warn_clipped(file_report, line, {"code": v[0], "name": v[1]},
                          {"code": 20, "name": 100})
    final = {v[0][:20]: (v[0][:20], v[1][:100], *v[2:]) for _, v in accepted}
    existing = OrgUnit.objects.in_bulk(list(final))
    now = timezone.now()
    create, update = [], []
    for code, (_, name, level, parent, urban_rural) in final.items():
        parent_id = None if level == OrgUnitLevel.COUNTY else parent
        unit = existing.get(code)
        if unit is None:
            create.append(OrgUnit(code=code, name=name, level=level, parent_id=parent_id,
                                  urban_rural=urban_rural))
        elif (unit.name, unit.level, unit.parent_id, unit.urban_rural) != (
                name, level, parent_id, urban_rural):
            unit.name, unit.level, unit.parent_id, unit.urban_rural = (
                name, level, parent_id, urban_rural)
            unit.updated_at = now
            update.append(unit)
    OrgUnit.objects.bulk_create(create, batch_size=2000)
    OrgUnit.objects.bulk_update(update, ["name", "level", "parent", "urban_rural", "updated_at"],
                                batch_size=2000)
    _paths_refresh()
    file_report.loaded = len(accepted)
    file_report.errors = list(errors.values())


def _paths_refresh() -> None:
    """Recompute every unit's materialized path "/county/town/zone/village/"."""
    parents = dict(OrgUnit.objects.values_list("code", "parent_id"))
    stored = dict(OrgUnit.objects.values_list("code", "path"))
    changed = []
    for code in parents:
        chain, seen, current = [], set(), code
        while current is not None and current in parents and current not in seen:
            seen.add(current)
            chain.append(current)
            current = parents[current]
        path = "/" + "/".join(reversed(chain)) + "/"
        if stored[code] != path:
            changed.append(OrgUnit(code=code, path=path))
    OrgUnit.objects.bulk_update(changed, ["path"], batch_size=2000)


# -- facilities ----------------------------------------------------------------------
def _load_facilities(source: TableSource, file_report: FileReport, report: LoadReport,
                     user_id) -> None:
    levels = dict(OrgUnit.objects.values_list("code", "level"))
    rows = source.open_rows(checks.FACILITY_COLUMNS)
    final: dict[str, tuple[str, str, str, list[str]]] = {}
    for line, values in rows:
        file_report.read += 1
        problem = checks.facility_problem(values)
        code, name, kind, orgunit_code, serves = values
        served = checks.split_codes(serves)
        if problem is None and orgunit_code not in levels:
            problem = ("orgunit_code", "unknown_ref", orgunit_code)
        if problem is None:
            wrong = [c for c in served if levels.get(c) not in checks.SERVED_LEVELS]
            if wrong:
                problem = ("serves", "unknown_ref", ";".join(wrong))
        if problem is not None:
            file_report.errors.append(RowError(line, *problem))
            continue
        file_report.loaded += 1
        if len(code) > 30 or len(name) > 100:
            _warn_clipped(file_report, line, {"code": code, "name": name},
                          {"code": 30, "name": 100})
        final[code[:30]] = (name[:100], kind, orgunit_code, served)
    _warn_missing_columns(rows, "facilities", file_report)
    existing = Facility.objects.in_bulk(list(final))
    now = timezone.now()
    create, update = [], []
    for code, (name, kind, orgunit_code, _) in final.items():
        facility = existing.get(code)
        if facility is None:
            create.append(Facility(code=code, name=name, kind=kind, orgunit_id=orgunit_code))
        elif (facility.name, facility.kind, facility.orgunit_id) != (name, kind, orgunit_code):
            facility.name, facility.kind, facility.orgunit_id = name, kind, orgunit_code
            facility.updated_at = now
            update.append(facility)
    Facility.objects.bulk_create(create, batch_size=2000)
    Facility.objects.bulk_update(update, ["name", "kind", "orgunit", "updated_at"],
                                 batch_size=2000)
    # A loaded facility serves exactly the units its row lists.
    have: dict[str, set[str]] = defaultdict(set)
    for facility_id, orgunit_id in Catchment.objects.filter(
            facility_id__in=list(final)).values_list("facility_id", "orgunit_id"):
        have[facility_id].add(orgunit_id)
    new_catchments = []
    for code, (_, _, _, served) in final.items():
        want = set(served)
        stale = have[code] - want
        if stale:
            Catchment.objects.filter(facility_id=code, orgunit_id__in=stale).delete()
        new_catchments.extend(
            Catchment(facility_id=code, orgunit_id=unit) for unit in sorted(want - have[code])
        )
    Catchment.objects.bulk_create(new_catchments, batch_size=2000)


# -- persons -------------------------------------------------------------------------
def _load_persons(source: TableSource, file_report: FileReport, report: LoadReport,
                  user_id) -> None:
    villages = set(
        OrgUnit.objects.filter(level=OrgUnitLevel.VILLAGE).values_list("code", flat=True)
    )
    errors: dict[int, RowError] = {}
    # Pass 1: row checks and the village reference; keep (line, local_id, mother) only.
    entries: list[tuple[int, str, str]] = []
    rows = source.open_rows(checks.PERSON_COLUMNS)
    for line, values in rows:
        file_report.read += 1
        problem = checks.person_problem(values)
        if problem is None and values[6] not in villages:
            problem = ("village_code", "unknown_ref", values[6])
        if problem is not None:
            errors[line] = RowError(line, *problem)
        else:
            entries.append((line, values[0], values[12]))
    _warn_missing_columns(rows, "persons", file_report)
    _settle_mothers(entries, errors)
    del entries

    present = frozenset(_PERSON_DB.get(c, c) for c in rows.header)
    invalid: set[str] = set()

    def staged() -> Iterator[tuple]:
        for line, v in source.open_rows(checks.PERSON_COLUMNS):
            if line in errors:
                continue
            (local_id, id_number, name, sex, birth, phone, village, household, residency,
             inflow, hukou, marital, mother, death) = v
            assessment = id_number_assess(id_number, birth_date=date.fromisoformat(birth),
                                          sex=sex)
            if assessment.status == IdStatus.INVALID:
                invalid.add(local_id)
            else:
                invalid.discard(local_id)
            pinyin, initials = name_search_keys(name)
            file_report.loaded += 1
            # Over-long text is cut to the column size (and reported) rather than failing
            # the file.
            if (len(local_id) > 40 or len(id_number) > 40 or len(name) > 60 or len(phone) > 20
                    or len(household) > 40 or len(hukou) > 6 or len(mother) > 40):
                _warn_clipped(file_report, line, {
                    "local_id": local_id, "id_number": id_number, "name": name, "phone": phone,
                    "household_id": household, "hukou_division": hukou,
                    "mother_local_id": mother,
                }, _PERSON_LIMITS)
            yield (line, local_id[:40], assessment.number[:40], assessment.status,
                   assessment.issue, name[:60], pinyin, initials, sex, birth, phone[:20],
                   village, household[:40], residency, inflow or None, hukou[:6], marital,
                   mother[:40] or None, death or None)

    Store().persons_write(staged(), present=present)
    file_report.errors = sorted(errors.values(), key=lambda e: e.row)
    report.invalid_id_numbers = sorted(invalid)


def _settle_mothers(entries: list[tuple[int, str, str]], errors: dict[int, RowError]) -> None:
    """Reject rows whose mother is neither an accepted row nor already loaded, transitively."""
    count = Counter(local_id for _, local_id, _ in entries)
    wanted = {m for _, _, m in entries if m and m not in count}
    loaded = _persons_existing(wanted)
    dependents: dict[str, list[int]] = defaultdict(list)
    for i, (_, _, mother) in enumerate(entries):
        if mother and mother not in loaded:
            dependents[mother].append(i)
    gone = [m for m in wanted if m not in loaded]
    while gone:
        key = gone.pop()
        for i in dependents.pop(key, ()):
            line, local_id, mother = entries[i]
            errors[line] = RowError(line, "mother_local_id", "unknown_ref", mother)
            count[local_id] -= 1
            if count[local_id] == 0 and not _persons_existing({local_id}):
                gone.append(local_id)


def _persons_existing(local_ids: set[str]) -> set[str]:
    found: set[str] = set()
    ids = list(local_ids)
    for start in range(0, len(ids), 500):
        found.update(Person.objects.filter(local_id__in=ids[start:start + 500])
                     .values_list("local_id", flat=True))
    return found


# -- events --------------------------------------------------------------------------
def _load_events(source: TableSource, file_report: FileReport, report: LoadReport,
                 user_id) -> None:
    store = Store()
    persons = store.person_index()
    facilities = set(Facility.objects.values_list("code", flat=True))
    vaccines = default_schedule().vaccines()
    rows = source.open_rows(checks.EVENT_COLUMNS)
    errors = file_report.errors
    problem_of = checks.event_problem

    def accepted() -> Iterator[tuple]:
        loaded = 0
        for line, v in rows:
            file_report.read += 1
            problem = problem_of(v, vaccines)
            if problem is None:
                person = persons.get(v[1])
                partner_id = None
                if person is None:
                    problem = ("person_local_id", "unknown_ref", v[1])
                elif v[11] and (partner := persons.get(v[11])) is None:
                    problem = ("partner_local_id", "unknown_ref", v[11])
                elif v[12] and v[12] not in facilities:
                    problem = ("facility_code", "unknown_ref", v[12])
                elif v[3] < person[1]:
                    problem = ("date", "before_birth", v[3])
                elif v[11]:
                    partner_id = partner[0]
            if problem is not None:
                errors.append(RowError(line, *problem))
                continue
            loaded += 1
            if len(v[0]) > 60 or len(v[13]) > 60 or len(v[14]) > 60 or len(v[15]) > 60:
                _warn_clipped(file_report, line, {
                    "event_id": v[0], "performed_by": v[13], "signed_by": v[14],
                    "source_system": v[15]}, _EVENT_LIMITS)
            yield (v[0][:60], person[0], v[2], v[3], v[4] or None, v[5], v[6] or None, v[7],
                   int(v[8]) if v[8] else None, v[9], v[10], partner_id, v[12] or None,
                   v[13][:60], v[14][:60], v[15][:60])
        file_report.loaded = loaded
        _warn_missing_columns(rows, "events", file_report)

    expected = 0
    if source.sheet is None:
        expected = source.path.stat().st_size // 90  # a generous guess of bytes per row
    store.events_write(accepted(), present=_event_columns_present(source), user_id=user_id,
                       expected_rows=expected)


def _event_columns_present(source: TableSource) -> frozenset[str]:
    rows = source.open_rows(checks.EVENT_COLUMNS)
    for _ in rows:
        break
    return frozenset(_EVENT_DB.get(c, c) for c in rows.header)
