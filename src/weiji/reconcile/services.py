"""Writes: sources, imports (file and API), comparison runs and the task lists they feed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from weiji.core.audit import AuditAction, audit_record
from weiji.orgunits.models import OrgUnit, OrgUnitLevel
from weiji.reconcile import findings as F
from weiji.reconcile.idnumbers import id_birth_date, id_is_valid, id_sex
from weiji.reconcile.importing import FIELDS, ImportError_, Parsed, parse_file, parse_records
from weiji.reconcile.linkage import DEFAULT_THRESHOLDS, Entity, RegisterIndex, Thresholds
from weiji.reconcile.models import (
    Discrepancy,
    LinkStatus,
    Run,
    Snapshot,
    SnapshotKind,
    Source,
    SourceRecord,
    SourceType,
    Status,
)
from weiji.records.models import Event, EventType
from weiji.registry.models import Person

__all__ = [
    "ImportError_",
    "SourceError",
    "reconcile_run",
    "records_push",
    "snapshot_import",
    "source_create",
    "source_issue_token",
    "source_by_token",
    "source_update",
]

_DATA_FIELDS = [f for f in FIELDS if f != "record_id"]
_BATCH = 2000


class SourceError(ValueError):
    """Bad input for a source (unknown type, bad mapping, bad code)."""


def _clean_map(column_map: dict | None) -> dict[str, str]:
    out = {}
    for key, header in (column_map or {}).items():
        if key not in FIELDS:
            raise SourceError(f"未知字段“{key}” / unknown field {key!r}; known: {', '.join(FIELDS)}")
        if str(header or "").strip():
            out[key] = str(header).strip()
    return out


@transaction.atomic
def source_create(*, code: str, name: str, type: str, user, column_map: dict | None = None) -> Source:
    if type not in SourceType.values:
        raise SourceError(f"来源类型“{type}”无效 / unknown source type {type!r}; use one of {', '.join(SourceType.values)}")
    code = code.strip()
    if not code or Source.objects.filter(code=code).exists():
        raise SourceError(f"来源代码“{code}”为空或已存在 / source code {code!r} is empty or taken")
    source = Source.objects.create(code=code, name=name.strip() or code, type=type, column_map=_clean_map(column_map))
    audit_record(user=user, action=AuditAction.CREATE, obj=source, detail={"type": type})
    return source


@transaction.atomic
def source_update(*, source: Source, user, name: str | None = None, column_map: dict | None = None) -> Source:
    before = {"name": source.name, "column_map": source.column_map}
    if name is not None and name.strip():
        source.name = name.strip()
    if column_map is not None:
        source.column_map = _clean_map(column_map)
    source.save()
    audit_record(user=user, action=AuditAction.UPDATE, obj=source,
                 detail={"before": before, "after": {"name": source.name, "column_map": source.column_map}})
    return source


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def source_issue_token(*, source: Source, user) -> str:
    """A new API token for the source (shown once; only its hash is stored)."""
    token = f"wj_{source.code}_{secrets.token_urlsafe(32)}"
    source.token_hash = _hash_token(token)
    source.token_hint = token[-4:]
    source.save(update_fields=["token_hash", "token_hint", "updated_at"])
    audit_record(user=user, action=AuditAction.UPDATE, obj=source, detail={"change": "token_issued"})
    return token


def source_by_token(*, token: str) -> Source | None:
    if not token:
        return None
    source = Source.objects.filter(token_hash=_hash_token(token)).first()
    if source is not None and secrets.compare_digest(source.token_hash, _hash_token(token)):
        return source
    return None


_TYPED = frozenset({"birth_date", "death_date", "event_date", "present"})
_LIMITS = {f: SourceRecord._meta.get_field(f).max_length for f in _DATA_FIELDS if f not in _TYPED}


def _record_values(r: dict) -> dict:
    return {f: r[f] if f in _TYPED else str(r[f] or "")[:_LIMITS[f]] for f in _DATA_FIELDS}


_DATES = frozenset({"birth_date", "death_date", "event_date"})
_INSERT_COLS = ["source_id", "snapshot_id", "record_id", "row", "active", "updated_at", *_DATA_FIELDS,
                "person_id", "mother_person_id", "link_status", "link_score", "link_reason"]
_UPDATE_COLS = ["snapshot_id", "row", "active", "updated_at", *_DATA_FIELDS]


def _insert_or_update(values: list[tuple]) -> None:
    """INSERT … ON CONFLICT (source, record_id) DO UPDATE, without the ORM's per-value cost."""
    table = SourceRecord._meta.db_table
    cols = ", ".join(f'"{c}"' for c in _INSERT_COLS)
    update = ", ".join(f'"{c}" = excluded."{c}"' for c in _UPDATE_COLS)
    conflict = 'ON CONFLICT ("source_id", "record_id") DO UPDATE SET ' + update
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"CREATE TEMP TABLE _rc_in ON COMMIT DROP AS SELECT {cols} FROM {table} WITH NO DATA")
            with cur.cursor.copy(f"COPY _rc_in ({cols}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _rc_in {conflict}")
            cur.execute("DROP TABLE _rc_in")
        else:
            marks = ", ".join(["%s"] * len(_INSERT_COLS))
            for i in range(0, len(values), 20000):
                cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks}) {conflict}", values[i:i + 20000])


def _upsert(*, source: Source, snapshot: Snapshot, rows: list[dict]) -> tuple[int, int]:
    """Insert or update the rows by (source, record_id); returns (created, updated)."""
    existing: set[str] = set()
    ids = [r["record_id"] for r in rows]
    for i in range(0, len(ids), 5000):
        existing.update(
            SourceRecord.objects.filter(source=source, record_id__in=ids[i:i + 5000]).values_list("record_id", flat=True)
        )
    latest: dict[str, dict] = {}
    for r in rows:  # a record id repeated in one import: the later row wins
        latest[r["record_id"]] = r
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    date_value = connection.ops.adapt_datefield_value
    values = []
    for rid, r in latest.items():
        data = _record_values(r)
        values.append((
            source.pk, snapshot.pk, rid[:80], r["row"], True, now,
            *(date_value(data[f]) if f in _DATES else data[f] for f in _DATA_FIELDS),
            None, None, LinkStatus.NONE, 0.0, "",
        ))
    _insert_or_update(values)
    created = sum(1 for rid in latest if rid not in existing)
    return created, len(latest) - created


@transaction.atomic
def snapshot_import(*, source: Source, path: Path, user, filename: str = "") -> Snapshot:
    """Import a full export of the source (CSV or .xlsx); records absent from it go inactive.

    Raises ImportError_ when the file cannot be read (nothing is imported then); rows with
    bad values are rejected one by one and listed in ``snapshot.errors``.
    """
    path = Path(path)
    filename = filename or path.name
    parsed: Parsed = parse_file(path, source.column_map)
    snapshot = Snapshot(source=source, kind=SnapshotKind.FILE, filename=filename[:200],
                        imported_by=user if getattr(user, "is_authenticated", False) else None)
    snapshot.file.save(f"{source.code}-{filename}"[-150:], ContentFile(path.read_bytes()), save=False)
    snapshot.read, snapshot.rejected = parsed.read, parsed.read - len(parsed.rows)
    snapshot.errors = parsed.errors[:1000]
    snapshot.save()
    _upsert(source=source, snapshot=snapshot, rows=parsed.rows)
    snapshot.loaded = len({r["record_id"] for r in parsed.rows})
    snapshot.save(update_fields=["loaded"])
    SourceRecord.objects.filter(source=source, active=True).exclude(snapshot=snapshot).update(active=False)
    audit_record(user=user, action=AuditAction.IMPORT, obj=snapshot,
                 detail={"source": source.code, "file": filename, "read": parsed.read,
                         "loaded": snapshot.loaded, "rejected": snapshot.rejected})
    return snapshot


@transaction.atomic
def records_push(*, source: Source, items: list, client: str = "") -> dict:
    """Records pushed by an outside system (one or a batch); idempotent by record_id."""
    parsed = parse_records(items)
    snapshot = Snapshot(source=source, kind=SnapshotKind.API, filename=f"api-{timezone.now():%Y%m%d%H%M%S}.json")
    snapshot.file.save(f"{source.code}-api.json", ContentFile(json.dumps(items, ensure_ascii=False, default=str).encode()), save=False)
    snapshot.read, snapshot.rejected, snapshot.errors = parsed.read, parsed.read - len(parsed.rows), parsed.errors
    snapshot.save()
    created, updated = _upsert(source=source, snapshot=snapshot, rows=parsed.rows)
    snapshot.loaded = created + updated
    snapshot.save(update_fields=["loaded"])
    audit_record(user=None, action=AuditAction.IMPORT, obj=snapshot,
                 detail={"source": source.code, "api": True, "client": client[:60], "created": created,
                         "updated": updated, "rejected": snapshot.rejected})
    return {"snapshot": snapshot.pk, "received": parsed.read, "created": created, "updated": updated,
            "rejected": snapshot.rejected, "errors": parsed.errors}


# ---------------------------------------------------------------- comparison run


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value[:10])


def _load_register() -> tuple[list[Entity], dict[int, F.PersonFacts]]:
    """Every person, read with plain SQL (the ORM's per-value conversion costs seconds here)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, id_number, name, sex, birth_date, village_id, mother_id, merged_into_id, "
            f"residency, marital_status, death_date FROM {Person._meta.db_table}"
        )
        rows = cur.fetchall()
    id_of = {r[0]: r[1] for r in rows}
    entities = []
    facts = {}
    for pid, idn, name, sex, birth, village, mother, merged, residency, marital, death in rows:
        birth, death, village = _date(birth), _date(death), village or ""
        entities.append(Entity(pid, idn, name, sex, birth, village, id_of.get(mother, "") if mother else "", merged))
        facts[pid] = F.PersonFacts(pid, name, sex, birth, idn, village, residency, marital, death, merged is not None)
    return entities, facts


_REC_COLUMNS = ("id", "record_id", "id_number", "name", "sex", "birth_date", "village_code", "present",
                "marital_status", "death_date", "mother_id_number", "outcome", "person_id",
                "mother_person_id", "link_status", "link_score", "link_reason")


def _write_links(changes: list[tuple]) -> None:
    """(person, mother_person, status, score, reason, pk) rows → SourceRecord, fast."""
    if not changes:
        return
    table = SourceRecord._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("CREATE TEMP TABLE IF NOT EXISTS _rc_links (p bigint, m bigint, s varchar(10), sc double precision, r varchar(300), id bigint) ON COMMIT DROP")
            with cur.cursor.copy("COPY _rc_links (p, m, s, sc, r, id) FROM STDIN") as copy:
                for row in changes:
                    copy.write_row(row)
            cur.execute(
                f"UPDATE {table} t SET person_id = l.p, mother_person_id = l.m, link_status = l.s, "
                "link_score = l.sc, link_reason = l.r FROM _rc_links l WHERE t.id = l.id"
            )
            cur.execute("DROP TABLE _rc_links")
        else:
            cur.executemany(
                f"UPDATE {table} SET person_id = %s, mother_person_id = %s, link_status = %s, "
                "link_score = %s, link_reason = %s WHERE id = %s",
                changes,
            )


def _link_records(source: Source, index: RegisterIndex, entities_by_id: dict[str, list[int]]) -> list[F.RecordFacts]:
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {', '.join(_REC_COLUMNS)} FROM {SourceRecord._meta.db_table} "
            "WHERE source_id = %s AND active = %s ORDER BY id",
            [source.pk, True],
        )
        records = cur.fetchall()
    changes: list[tuple] = []
    facts: list[F.RecordFacts] = []
    for (pk, record_id, idn, name, sex, birth, village, present, marital, death, mother_idn, outcome,
         person, mother_person, status, score, reason) in records:
        birth, death = _date(birth), _date(death)
        present = None if present is None else bool(present)
        birth_eff = birth or (id_birth_date(idn) if id_is_valid(idn) else None)
        sex_eff = sex or (id_sex(idn) if id_is_valid(idn) else "")
        new_mother = None
        if mother_idn:
            hits = [k for k in entities_by_id.get(mother_idn, ()) if k in index.persons]
            new_mother = hits[0] if hits else None
        if status in (LinkStatus.CONFIRMED, LinkStatus.REJECTED) and (person is None or person in index.persons):
            new = (person, new_mother, status, score, reason)
        elif source.type == SourceType.BIRTHS and outcome and outcome != "live_birth":
            new = (None, new_mother, LinkStatus.NONE, 0.0, "非活产，无新生儿可匹配")
        else:
            link = index.link(Entity(pk, idn, name, sex_eff, birth_eff, village, mother_idn))
            new = (link.person, new_mother, link.status, link.score, link.reason[:300])
        if new != (person, mother_person, status, score, reason):
            changes.append((*new, pk))
        facts.append(F.RecordFacts(
            pk, record_id, new[0], new[2], new[1], idn, name, sex, birth, village, present, marital,
            death, outcome,
        ))
    _write_links(changes)
    return facts


_DISCREPANCY_COLS = ("key", "kind", "source_id", "run_id", "record_id", "person_id", "other_person_id",
                     "field", "source_value", "register_value", "detail", "orgunit_id", "status",
                     "resolution", "note", "created_at", "updated_at")


def _bulk_insert(table: str, cols: tuple[str, ...], rows: list[tuple]) -> None:
    """Plain INSERT of many rows (COPY on PostgreSQL)."""
    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in cols)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(cols))
            cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _sync(source: Source, run: Run, found: list[F.Finding], units: set[str]) -> dict[str, int]:
    """Create new items, re-open returning ones, mark vanished open ones obsolete."""
    mine = Discrepancy.objects.filter(source=source) | Discrepancy.objects.filter(source__isnull=True)
    existing = {key: (pk, status) for key, pk, status in mine.values_list("key", "id", "status").iterator(chunk_size=20000)}
    new_keys = {f.key for f in found}
    global_kinds = {F.DUPLICATE, F.UNMANAGED}
    now_db = connection.ops.adapt_datetimefield_value(timezone.now())
    to_create = [
        (f.key[:160], f.kind, None if f.kind in global_kinds else source.pk, run.pk, f.record, f.person,
         f.other_person, f.field, f.source_value[:100], f.register_value[:100], f.detail[:300],
         f.orgunit if f.orgunit in units else None, Status.OPEN, "", "", now_db, now_db)
        for f in found if f.key[:160] not in existing
    ]
    _bulk_insert(Discrepancy._meta.db_table, _DISCREPANCY_COLS, to_create)
    reopen = [pk for key, (pk, status) in existing.items() if status == Status.OBSOLETE and key in new_keys]
    vanish = [pk for key, (pk, status) in existing.items() if status == Status.OPEN and key not in new_keys]
    now = timezone.now()
    for i in range(0, len(reopen), 5000):
        Discrepancy.objects.filter(pk__in=reopen[i:i + 5000]).update(status=Status.OPEN, run=run, updated_at=now)
    for i in range(0, len(vanish), 5000):
        Discrepancy.objects.filter(pk__in=vanish[i:i + 5000]).update(status=Status.OBSOLETE, run=run, updated_at=now)
    return {"created": len(to_create), "reopened": len(reopen), "obsolete": len(vanish)}


@transaction.atomic
def reconcile_run(*, source: Source, user, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Run:
    """Link the source's active records to the register and refresh every discrepancy list."""
    run = Run.objects.create(source=source, snapshot=source.snapshots.first(),
                             started_by=user if getattr(user, "is_authenticated", False) else None)
    entities, persons = _load_register()
    index = RegisterIndex(entities, thresholds=thresholds)
    del entities
    records = _link_records(source, index, index.by_id)
    duplicates = index.duplicates()
    villages = set(OrgUnit.objects.filter(level=OrgUnitLevel.VILLAGE).values_list("code", flat=True))
    units = set(OrgUnit.objects.values_list("code", flat=True))
    outcomes: dict[int, list] = {}
    if source.type == SourceType.BIRTHS:
        for pid, date, outcome in Event.objects.filter(type=EventType.PREGNANCY_OUTCOME).values_list("person_id", "date", "outcome"):
            outcomes.setdefault(pid, []).append((date, outcome))
    found = F.compute_findings(
        source_code=source.code, source_type=source.type, records=records, persons=persons,
        villages=villages, units=units, duplicates=duplicates, outcomes=outcomes,
    )
    sync = _sync(source, run, found, units)
    counts: dict[str, int] = {}
    for f in found:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    links: dict[str, int] = {}
    for r in records:
        links[r.link_status] = links.get(r.link_status, 0) + 1
    run.counts = {"records": len(records), "links": links, "items": counts, **sync}
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "finished_at"])
    audit_record(user=user, action=AuditAction.UPDATE, obj=run, detail={"source": source.code, **run.counts})
    return run
