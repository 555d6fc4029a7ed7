"""Set-based writes of persons and events for the loader, on SQLite and PostgreSQL.

Persons go through a temporary staging table (executemany on SQLite, COPY on
PostgreSQL), then a handful of ``INSERT … SELECT … ON CONFLICT DO UPDATE`` statements
write households, persons, mothers and residency periods. Events stream: on SQLite one
``executemany`` upsert; on PostgreSQL COPY into a staging table per chunk, then one
upsert per chunk. Every upsert only touches rows whose values differ, so loading the
same bundle again changes nothing (ids, ``updated_at`` and history stay as they were).

All statements run inside the caller's transaction (one per file).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from django.db import connection

# Staged person columns → the registry_person column they fill (None: derived elsewhere).
PERSON_STAGE = (
    "line", "local_id", "id_number", "id_status", "id_issue", "name", "name_pinyin",
    "name_initials", "sex", "birth_date", "phone", "village_id", "household_code",
    "residency", "inflow_date", "hukou_division", "marital_status", "mother_local_id",
    "death_date",
)
# Person columns copied as they are from the stage (besides local_id).
PERSON_PLAIN = (
    "id_number", "id_status", "id_issue", "name", "name_pinyin", "name_initials", "sex",
    "birth_date", "phone", "village_id", "residency", "inflow_date", "hukou_division",
    "marital_status", "death_date",
)
EVENT_COLUMNS = (
    "event_id", "person_id", "type", "date", "lmp", "outcome", "discharge_date", "vaccine",
    "dose", "method", "condition", "partner_id", "facility_id", "performed_by", "signed_by",
    "source_system",
)
EVENT_CHUNK = 20_000
BULK_ROWS = 100_000


def _distinct(table: str, columns: Iterable[str]) -> str:
    return " OR ".join(f"{table}.{c} IS DISTINCT FROM excluded.{c}" for c in columns)


class Store:
    """Bulk writes on the default database connection (inside the caller's transaction)."""

    def __init__(self):
        connection.ensure_connection()
        self.vendor = connection.vendor
        self.raw = connection.connection
        self.now = datetime.now(UTC)
        self.now_value = (
            self.now.strftime("%Y-%m-%d %H:%M:%S.%f") if self.vendor == "sqlite" else self.now
        )

    # -- helpers -------------------------------------------------------------------
    def _execute(self, sql: str, params: tuple = ()) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def _temp_table(self, name: str, columns_sql: str) -> None:
        schema = "pg_temp" if self.vendor == "postgresql" else "temp"
        self._execute(f"DROP TABLE IF EXISTS {schema}.{name}")
        if self.vendor == "postgresql":
            self._execute(f"CREATE TEMP TABLE {name} ({columns_sql}) ON COMMIT DROP")
        else:
            self._execute(f"CREATE TEMP TABLE {name} ({columns_sql})")

    def _fill(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
        if self.vendor == "postgresql":
            with self.raw.cursor() as cursor, cursor.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            self.raw.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
            )

    # -- persons -------------------------------------------------------------------
    def persons_write(self, rows: Iterable[tuple], *, present: frozenset[str]) -> None:
        """Upsert staged persons. ``present``: the bundle columns the file has."""
        date = "date" if self.vendor == "postgresql" else "text"
        types = {"line": "integer", "village_id": "text", "birth_date": date,
                 "inflow_date": date, "death_date": date}
        self._temp_table(
            "weiji_stage_person",
            ", ".join([*(f"{c} {types.get(c, 'text')}" for c in PERSON_STAGE),
                       "person_id bigint", "mother_id bigint"]),
        )
        self._fill("weiji_stage_person", PERSON_STAGE, rows)
        self._execute("CREATE INDEX weiji_stage_person_key ON weiji_stage_person (local_id, line)")
        # A key repeated in the bundle: the later row wins.
        self._execute(
            "DELETE FROM weiji_stage_person WHERE EXISTS (SELECT 1 FROM weiji_stage_person s2 "
            "WHERE s2.local_id = weiji_stage_person.local_id AND s2.line > weiji_stage_person.line)"
        )
        if self.vendor == "postgresql":
            self._execute("ANALYZE weiji_stage_person")
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM weiji_stage_person")
            staged = cursor.fetchone()[0]
        bulk = staged >= BULK_ROWS // 2 and not self._table_has_at_least("registry_person", staged)
        indexes = self._indexes_drop("registry_person") if bulk else []
        has_household = "household_id" in present
        if has_household:
            self._execute(
                "INSERT INTO registry_household (code, village_id, address) "
                "SELECT household_code, MIN(village_id), '' FROM weiji_stage_person "
                "WHERE household_code <> '' GROUP BY household_code "
                "ON CONFLICT (code) DO UPDATE SET village_id = excluded.village_id "
                "WHERE registry_household.village_id IS DISTINCT FROM excluded.village_id"
            )
        self._person_ids_assign(mothers="mother_local_id" in present)
        plain = [c for c in PERSON_PLAIN if c in present or c in _DERIVED_PERSON]
        update = [*plain, *(["household_id"] if has_household else []),
                  *(["mother_id"] if "mother_local_id" in present else [])]
        household_expr = "h.id" if has_household else "NULL"
        household_join = (
            "LEFT JOIN registry_household h ON h.code = s.household_code" if has_household else ""
        )
        insert_cols = ", ".join([
            "id", "local_id", *PERSON_PLAIN, "household_id", "mother_id", "created_at",
            "updated_at",
        ])
        select_cols = ", ".join([
            "s.person_id", "s.local_id", *(f"s.{c}" for c in PERSON_PLAIN), household_expr,
            "s.mother_id", "%s", "%s",
        ])
        sets = ", ".join([*(f"{c} = excluded.{c}" for c in update), "updated_at = excluded.updated_at"])
        self._execute(
            f"INSERT INTO registry_person ({insert_cols}) "
            f"SELECT {select_cols} FROM weiji_stage_person s {household_join} WHERE true "
            f"ON CONFLICT (local_id) DO UPDATE SET {sets} "
            f"WHERE {_distinct('registry_person', update)}",
            (self.now_value, self.now_value),
        )
        self._indexes_create(indexes)
        self._residency_write()

    def _person_ids_assign(self, *, mothers: bool) -> None:
        """Give every staged person its id (the stored one, or a new one) and its mother's.

        With ids known up front, persons and their mothers are written by one INSERT,
        whatever the row order.
        """
        self._execute(
            "UPDATE weiji_stage_person SET person_id = p.id FROM registry_person p "
            "WHERE p.local_id = weiji_stage_person.local_id"
        )
        if self.vendor == "postgresql":
            self._execute(
                "UPDATE weiji_stage_person SET person_id = "
                "nextval(pg_get_serial_sequence('registry_person', 'id')) WHERE person_id IS NULL"
            )
        else:
            self._execute(
                "UPDATE weiji_stage_person SET person_id = rowid + (SELECT max("
                "coalesce((SELECT max(id) FROM registry_person), 0), "
                "coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'registry_person'), 0)"
                ")) WHERE person_id IS NULL"
            )
        if mothers:
            self._execute(
                "UPDATE weiji_stage_person SET mother_id = coalesce("
                "(SELECT s2.person_id FROM weiji_stage_person s2 "
                "WHERE s2.local_id = weiji_stage_person.mother_local_id), "
                "(SELECT p.id FROM registry_person p "
                "WHERE p.local_id = weiji_stage_person.mother_local_id)) "
                "WHERE mother_local_id IS NOT NULL"
            )

    def _residency_write(self) -> None:
        """One 'loaded' residency period per person: the bundle state from the start.

        A person whose history has periods recorded in the product (moves, out-migration)
        keeps that history; only periods that came from a load are rewritten.
        """
        start = "CASE WHEN p.residency = 'inflow' THEN p.inflow_date ELSE NULL END"
        self._execute(
            "UPDATE registry_residencyperiod SET village_id = x.village_id, "
            "residency = x.residency, valid_from = x.start, valid_to = NULL FROM ("
            f"SELECT p.id AS person_id, p.village_id, p.residency, {start} AS start "
            "FROM weiji_stage_person s JOIN registry_person p ON p.local_id = s.local_id) x "
            "WHERE registry_residencyperiod.person_id = x.person_id "
            "AND registry_residencyperiod.change = 'loaded' "
            "AND NOT EXISTS (SELECT 1 FROM registry_residencyperiod o "
            "WHERE o.person_id = x.person_id AND o.change <> 'loaded') "
            "AND (registry_residencyperiod.village_id IS DISTINCT FROM x.village_id "
            "OR registry_residencyperiod.residency IS DISTINCT FROM x.residency "
            "OR registry_residencyperiod.valid_from IS DISTINCT FROM x.start "
            "OR registry_residencyperiod.valid_to IS NOT NULL)"
        )
        self._execute(
            "INSERT INTO registry_residencyperiod "
            "(person_id, village_id, residency, valid_from, valid_to, change, note, recorded_at) "
            f"SELECT p.id, p.village_id, p.residency, {start}, NULL, 'loaded', '', %s "
            "FROM weiji_stage_person s JOIN registry_person p ON p.local_id = s.local_id "
            "WHERE NOT EXISTS (SELECT 1 FROM registry_residencyperiod r WHERE r.person_id = p.id)",
            (self.now_value,),
        )

    def person_index(self) -> dict[str, tuple[int, str]]:
        """local_id → (id, birth date as YYYY-MM-DD) of every person in the database."""
        index: dict[str, tuple[int, str]] = {}
        births: dict[str, str] = {}
        with connection.cursor() as cursor:
            cursor.execute("SELECT local_id, id, birth_date FROM registry_person")
            while batch := cursor.fetchmany(10_000):
                for local_id, pk, birth in batch:
                    text = birth if isinstance(birth, str) else birth.isoformat()
                    index[local_id] = (pk, births.setdefault(text, text))
        return index

    # -- events --------------------------------------------------------------------
    def events_write(self, rows: Iterator[tuple], *, present: frozenset[str], user_id,
                     expected_rows: int = 0) -> None:
        """Upsert event rows (tuples in ``EVENT_COLUMNS`` order) as they stream in.

        A bulk load (``expected_rows`` at least ``BULK_ROWS`` and more than the table
        holds) drops the secondary indexes first and builds them again at the end, inside
        the same transaction: one sort per index instead of millions of random inserts.
        """
        update = [c for c in EVENT_COLUMNS[1:] if c in present or c in _DERIVED_EVENT]
        bulk = expected_rows >= BULK_ROWS and not self._table_has_at_least(
            "records_event", expected_rows)
        indexes = self._indexes_drop("records_event") if bulk else []
        if self.vendor == "postgresql":
            direct = bulk and not self._table_has_at_least("records_event", 1)
            self._events_postgres(rows, update=update, user_id=user_id, direct=direct)
        else:
            self._events_sqlite(rows, update=update, user_id=user_id)
        self._indexes_create(indexes)

    def _table_has_at_least(self, table: str, n: int) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT %s) t", (n,))
            return cursor.fetchone()[0] >= n

    def _indexes_drop(self, table: str) -> list[str]:
        """Drop a table's plain (non-unique) indexes; return the SQL that recreates them.

        Unique indexes stay: the upserts need them.
        """
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(
                    "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                    "JOIN pg_class c ON c.oid = i.indexrelid "
                    "WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary",
                    (table,),
                )
            else:
                cursor.execute(
                    "SELECT m.name, m.sql FROM sqlite_master m WHERE m.type = 'index' "
                    "AND m.tbl_name = %s AND m.sql IS NOT NULL AND NOT EXISTS ("
                    "SELECT 1 FROM pragma_index_list(%s) l WHERE l.name = m.name AND l.\"unique\")",
                    (table, table),
                )
            found = cursor.fetchall()
        for name, _ in found:
            self._execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        return [sql for _, sql in found]

    def _indexes_create(self, statements: list[str]) -> None:
        if statements and self.vendor == "postgresql":
            self._execute("SET LOCAL maintenance_work_mem = '256MB'")
        for sql in statements:
            self._execute(sql)

    def _events_sqlite(self, rows: Iterator[tuple], *, update: list[str], user_id) -> None:
        cols = ", ".join([*EVENT_COLUMNS, "recorded_by_id", "created_at", "updated_at"])
        marks = ", ".join("?" * (len(EVENT_COLUMNS) + 3))
        sets = ", ".join([*(f"{c} = excluded.{c}" for c in update), "updated_at = excluded.updated_at"])
        sql = (
            f"INSERT INTO records_event ({cols}) VALUES ({marks}) "
            f"ON CONFLICT (event_id) DO UPDATE SET {sets} "
            f"WHERE {_distinct('records_event', update)}"
        )
        tail = (user_id, self.now_value, self.now_value)
        (previous,) = self.raw.execute("PRAGMA cache_size").fetchone()
        self.raw.execute("PRAGMA cache_size = -262144")  # 256 MB while loading
        try:
            # Rows are read and checked in a second thread while SQLite writes (the
            # sqlite3 module lets go of the GIL inside each step).
            self.raw.executemany(sql, (row + tail for row in in_background(_last_wins(rows))))
        finally:
            self.raw.execute(f"PRAGMA cache_size = {int(previous)}")

    def _events_postgres(self, rows: Iterator[tuple], *, update: list[str], user_id,
                         direct: bool) -> None:
        """COPY events to the database while this thread reads and checks the next ones.

        ``direct``: the table is empty, so rows are copied straight into it; a row whose
        key came earlier in the file is kept aside and upserted at the end (later wins).
        Otherwise each chunk goes through a staging table and one upsert.
        """
        types = {"person_id": "bigint", "partner_id": "bigint", "dose": "integer",
                 "date": "date", "lmp": "date", "discharge_date": "date"}
        self._temp_table(
            "weiji_stage_event", ", ".join(f"{c} {types.get(c, 'text')}" for c in EVENT_COLUMNS)
        )
        cols = ", ".join(EVENT_COLUMNS)
        sets = ", ".join([*(f"{c} = excluded.{c}" for c in update), "updated_at = excluded.updated_at"])
        upsert = (
            f"INSERT INTO records_event ({cols}, recorded_by_id, created_at, updated_at) "
            f"SELECT {cols}, %s, %s, %s FROM weiji_stage_event "
            f"ON CONFLICT (event_id) DO UPDATE SET {sets} "
            f"WHERE {_distinct('records_event', update)}"
        )
        stage_copy = f"COPY weiji_stage_event ({cols}) FROM STDIN"
        table_copy = f"COPY records_event ({cols}, recorded_by_id, created_at, updated_at) FROM STDIN"
        params = (user_id, self.now, self.now)

        def staged_upsert(cursor, chunk: list[tuple]) -> None:
            with cursor.copy(stage_copy) as copy:
                for row in chunk:
                    copy.write_row(row)
            cursor.execute(upsert, params)
            cursor.execute("TRUNCATE weiji_stage_event")

        work: queue.Queue = queue.Queue(maxsize=2)
        failure: list[BaseException] = []

        def writer() -> None:
            try:
                with self.raw.cursor() as cursor:
                    if direct:
                        # Timestamps as text: far cheaper to send than datetime objects.
                        tail = (user_id, self.now.isoformat(), self.now.isoformat())
                        with cursor.copy(table_copy) as copy:
                            while (chunk := work.get()) is not None:
                                for row in chunk:
                                    copy.write_row(row + tail)
                    else:
                        while (chunk := work.get()) is not None:
                            staged_upsert(cursor, chunk)
            except BaseException as exc:  # handed back to the loading thread
                failure.append(exc)
                while work.get() is not None:
                    pass

        thread = threading.Thread(target=writer, name="weiji-event-writer", daemon=True)
        thread.start()
        later: list[tuple] = []
        try:
            if direct:
                seen: set[str] = set()
                buffer: list[tuple] = []
                for row in rows:
                    if row[0] in seen:
                        later.append(row)
                        continue
                    seen.add(row[0])
                    buffer.append(row)
                    if len(buffer) >= EVENT_CHUNK:
                        work.put(buffer)
                        buffer = []
                        if failure:
                            break
                if buffer and not failure:
                    work.put(buffer)
            else:
                chunk: dict[str, tuple] = {}
                for row in rows:
                    # A key repeated inside one chunk: the later row wins (ON CONFLICT
                    # cannot touch a row twice in one statement).
                    chunk[row[0]] = row
                    if len(chunk) >= EVENT_CHUNK:
                        work.put(list(chunk.values()))
                        chunk = {}
                        if failure:
                            break
                if chunk and not failure:
                    work.put(list(chunk.values()))
        finally:
            work.put(None)
            thread.join()
        if failure:
            raise failure[0]
        with self.raw.cursor() as cursor:
            for start in range(0, len(later), EVENT_CHUNK):
                staged_upsert(cursor, list({r[0]: r for r in later[start:start + EVENT_CHUNK]}.values()))


def _last_wins(rows: Iterator[tuple]) -> Iterator[tuple]:
    """Rows in chunks where a key repeated inside a chunk keeps only its last row.

    The stored result is the same as writing every row in order, without rewriting a row
    twice (so reloading a bundle with repeated keys leaves it untouched).
    """
    chunk: dict[str, tuple] = {}
    for row in rows:
        chunk[row[0]] = row
        if len(chunk) >= EVENT_CHUNK:
            yield from chunk.values()
            chunk = {}
    yield from chunk.values()


class _Failure:
    def __init__(self, exc: BaseException):
        self.exc = exc


_DONE = object()


def in_background(rows: Iterator, batch: int = 2000) -> Iterator:
    """Run an iterator in a worker thread, handing its items over in batches.

    An exception in the iterator is raised again here; when the consumer stops early the
    worker is told to stop and is waited for.
    """
    handover: queue.Queue = queue.Queue(maxsize=16)
    stop = threading.Event()

    def produce() -> None:
        try:
            buffer = []
            for row in rows:
                buffer.append(row)
                if len(buffer) >= batch:
                    handover.put(buffer)
                    buffer = []
                    if stop.is_set():
                        return
            handover.put(buffer)
            handover.put(_DONE)
        except BaseException as exc:  # handed to the consumer
            handover.put(_Failure(exc))

    worker = threading.Thread(target=produce, name="weiji-bundle-reader", daemon=True)
    worker.start()
    try:
        while True:
            item = handover.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield from item
    finally:
        stop.set()
        while worker.is_alive():
            try:
                handover.get(timeout=0.05)
            except queue.Empty:
                pass
        worker.join()


# Person/event columns that always get a value even when the bundle lacks the column.
_DERIVED_PERSON = frozenset({"id_status", "id_issue", "name_pinyin", "name_initials"})
_DERIVED_EVENT = frozenset({"person_id"})
