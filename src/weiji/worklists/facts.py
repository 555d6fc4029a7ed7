"""The register as rule facts: orgunits, registry and records → ``weiji.rules.facts.District``.

Only what is known on the date ``on`` is read (persons born, events dated on or before it),
with each person's village and residency as of ``on`` from their residency history
(``registry.ResidencyPeriod``; the person's current fields when there is none). Persons
merged into another are left out; their events count for the person they were merged into.

A district is built for a set of *subjects* (all persons, some villages or some persons)
plus, for rules that look across people, the facts they need of others wherever those
live: marriages naming a subject as partner and the spouse's checkups and contraception,
a subject's children (birth dates), and a newborn subject's mother's delivery. Queries are
raw ``SELECT``s on indexed columns; ``iter_districts`` streams a whole district in chunks of
persons so that memory stays bounded (300,000 persons, 3 million events).
"""

from __future__ import annotations

import multiprocessing as mp
import sys
import threading
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from itertools import chain

from django.db import connection, connections
from django.db.models import Count, Max, Min
from django.utils import timezone

from weiji.orgunits.models import Catchment, OrgUnit
from weiji.orgunits.models import Facility as FacilityRow
from weiji.records.models import Event as EventRow
from weiji.records.models import EventType
from weiji.registry.models import Person as PersonRow
from weiji.registry.models import ResidencyPeriod
from weiji.rules.catalogue import Catalogue, default_catalogue
from weiji.rules.evaluate import evaluate_district
from weiji.rules.facts import District, DueItem, Event, Facility, Person, Unit
from weiji.rules.relevance import CHILD_EVENT_TYPES, child_birth_cutoff, event_horizons

# Event types the due-list rules read (the others are for indicators and campaigns).
RULE_EVENT_TYPES = (
    "marriage", "preconception_checkup", "folic_acid", "pregnancy_registered",
    "maternal_handbook", "antenatal_visit", "pregnancy_outcome", "postpartum_visit",
    "postpartum_42d", "newborn_visit", "child_checkup", "vaccination", "contraception",
    "elderly_checkup", "chronic_diagnosis", "chronic_followup",
)
SPOUSE_EVENT_TYPES = frozenset({"preconception_checkup", "contraception"})
OUTCOME_TYPES = frozenset({"pregnancy_outcome"})
BATCH = 900  # ids per IN (...) list: under every SQLite build's variable limit
NEWBORN_LOOKBACK_DAYS = 366  # mothers' deliveries are read for children born this recently

_P = PersonRow._meta.db_table
_E = EventRow._meta.db_table
_R = ResidencyPeriod._meta.db_table
_PERSON_COLS = (
    "id, local_id, id_number, name, sex, birth_date, village_id, residency, inflow_date, "
    "marital_status, mother_id, death_date"
)
_EVENT_COLS = (
    "person_id, event_id, type, date, lmp, outcome, discharge_date, vaccine, dose, method, "
    "condition, partner_id, facility_id"
)  # facility codes are interned: campaigns count checkups by the facility's kind


class _Dates(dict):
    """Date values by their database form: ISO text (SQLite) parsed once, dates as they are."""

    def __missing__(self, key):
        value = date.fromisoformat(key) if isinstance(key, str) and key else (key or None)
        self[key] = value
        return value


def _columns(cols: str, dates: tuple[str, ...]) -> str:
    """``cols`` with date columns read as text on SQLite (skips Django's per-value converter)."""
    if connection.vendor != "sqlite":
        return cols
    return ", ".join(
        f"CAST({c} AS TEXT)" if c in dates else c for c in (c.strip() for c in cols.split(","))
    )


def _batches(ids: list, size: int = BATCH) -> Iterator[list]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _select(sql: str, params: Iterable = ()) -> Iterator[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        while True:
            rows = cursor.fetchmany(5000)
            if not rows:
                return
            yield from rows


def _select_in(sql: str, ids: Iterable, params: Iterable = ()) -> Iterator[tuple]:
    """``sql`` with one ``{ids}`` placeholder for an IN list, run in batches."""
    ids = list(ids)
    for batch in _batches(ids):
        yield from _select(sql.format(ids=", ".join(["%s"] * len(batch))), [*batch, *params])


_ANALYZED: set[str] = set()


def _ensure_statistics() -> None:
    """PostgreSQL: give the planner statistics for the big tables once they changed a lot.

    Without them (a fresh bulk load, autovacuum off) it scans 3 million events for an
    ``IN (...)`` of a village's persons; ``ANALYZE`` samples the table in about a second.
    Checked once per process and database.
    """
    if connection.vendor != "postgresql" or connection.settings_dict["NAME"] in _ANALYZED:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_live_tup, n_mod_since_analyze, last_analyze, last_autoanalyze "
            "FROM pg_stat_user_tables WHERE relname IN (%s, %s, %s)", [_E, _P, _R],
        )
        for table, live, changed, analyzed, autoanalyzed in cursor.fetchall():
            if (analyzed is None and autoanalyzed is None) or changed > max(1000, live // 5):
                cursor.execute(f'ANALYZE "{table}"')
    _ANALYZED.add(connection.settings_dict["NAME"])


def _units_and_facilities() -> tuple[list[Unit], list[Facility]]:
    units = [
        Unit(code, name, level, parent or None, ur or "")
        for code, name, level, parent, ur in OrgUnit.objects.values_list(
            "code", "name", "level", "parent_id", "urban_rural"
        )
    ]
    serves: dict[str, list[str]] = {}
    for fac, unit in Catchment.objects.values_list("facility_id", "orgunit_id"):
        serves.setdefault(fac, []).append(unit)
    facilities = [
        Facility(code, name, kind, orgunit, tuple(sorted(serves.get(code, ()))))
        for code, name, kind, orgunit in FacilityRow.objects.values_list(
            "code", "name", "kind", "orgunit_id"
        )
    ]
    return units, facilities


class _Builder:
    """Builds districts for sets of subject persons on one date.

    SQL selects by indexed keys only (person, partner, mother, id ranges); dates and types
    are filtered here, so that no database picks the (type, date) index for a scan.
    """

    def __init__(self, on: date, types: Iterable[str] | None, prune: Catalogue | None = None):
        self.on = on
        # events no rule of the catalogue ``prune`` can use on ``on`` are not read
        self.horizons = event_horizons(prune, on) if prune is not None else {}
        self.child_cutoff = child_birth_cutoff(prune, on) if prune is not None else None
        self.types = frozenset(types) if types is not None else None
        self.on_param = on.isoformat() if connection.vendor == "sqlite" else on
        self.date = _Dates().__getitem__
        self.pcols = _columns(_PERSON_COLS, ("birth_date", "inflow_date", "death_date"))
        self.ecols = _columns(_EVENT_COLS, ("date", "lmp", "discharge_date"))
        _ensure_statistics()
        self.units, self.facilities = _units_and_facilities()
        self.facility_codes: dict[str, str] = {}

    # --- merges (a merged-away person's facts count for the person it was merged into) ---
    def _resolve(self, found: dict[int, int]) -> dict[int, int]:
        """merged id → the person it now is, following chains."""
        final = {}
        for src in found:
            target, seen = found[src], {src}
            while target in found and target not in seen:
                seen.add(target)
                target = found[target]
            final[src] = target
        return final

    def merge_targets(self, ids: Iterable[int]) -> dict[int, int]:
        """Of ``ids``, those merged into another person → that person."""
        found: dict[int, int] = {}
        todo = set(ids)
        while todo:
            new = dict(_select_in(
                f"SELECT id, merged_into_id FROM {_P} WHERE id IN ({{ids}}) "
                "AND merged_into_id IS NOT NULL", sorted(todo),
            ))
            found.update(new)
            todo = set(new.values()) - found.keys()
        return self._resolve(found)

    def merge_sources(self, ids: Iterable[int], id_range: tuple[int, int] | None = None
                      ) -> dict[int, int]:
        """Persons merged (directly or through others) into one of ``ids`` → that person."""
        found: dict[int, int] = {}
        if id_range is not None:
            level = dict(_select(
                f"SELECT id, merged_into_id FROM {_P} WHERE merged_into_id >= %s "
                "AND merged_into_id <= %s", list(id_range),
            ))
        else:
            level = dict(_select_in(
                f"SELECT id, merged_into_id FROM {_P} WHERE merged_into_id IN ({{ids}})", sorted(set(ids)),
            ))
        while level:
            found.update(level)
            level = {k: v for k, v in _select_in(
                f"SELECT id, merged_into_id FROM {_P} WHERE merged_into_id IN ({{ids}})", sorted(level),
            ) if k not in found}
        return self._resolve(found)

    # --- persons --------------------------------------------------------------------------
    def _known_persons(self, rows: Iterable[tuple]) -> list[tuple]:
        """Person rows (with merged_into_id last) not merged and born by ``on``; drops it."""
        on, d = self.on, self.date
        return [r[:-1] for r in rows if r[-1] is None and d(r[5]) <= on]

    def person_rows_by_ids(self, ids: Iterable[int]) -> list[tuple]:
        return self._known_persons(_select_in(
            f"SELECT {self.pcols}, merged_into_id FROM {_P} WHERE id IN ({{ids}})", ids
        ))

    def _periods(self, rows: Iterable[tuple]) -> dict[int, list[tuple]]:
        found: dict[int, list[tuple]] = {}
        d = self.date
        for pid, village, residency, start, end in rows:
            found.setdefault(pid, []).append((village, residency, d(start), d(end)))
        return found

    def periods(self, ids: list[int]) -> dict[int, list[tuple]]:
        return self._periods(_select_in(
            f"SELECT person_id, village_id, residency, valid_from, valid_to FROM {_R} "
            "WHERE person_id IN ({ids})", ids,
        ))

    def periods_in_range(self, lo: int, hi: int) -> dict[int, list[tuple]]:
        return self._periods(_select(
            f"SELECT person_id, village_id, residency, valid_from, valid_to FROM {_R} "
            "WHERE person_id >= %s AND person_id <= %s", [lo, hi],
        ))

    def person(self, row: tuple, periods: list[tuple] | None, local_ids: dict[int, str]) -> Person:
        (pk, local_id, id_number, name, sex, birth, village, residency, inflow, marital,
         mother, death) = row
        d = self.date
        if periods:
            village, residency = self.as_of(periods, village)
        return Person(
            local_id, id_number or "", name, sex, d(birth), village, residency or "",
            d(inflow), marital or "", local_ids.get(mother) if mother is not None else None,
            d(death),
        )

    def as_of(self, periods: list[tuple], current_village: str) -> tuple[str, str]:
        """(village, residency) on ``on`` from the history; out of scope before the first."""
        on = self.on
        covering = [p for p in periods if (p[2] is None or p[2] <= on) and (p[3] is None or on < p[3])]
        if covering:
            covering.sort(key=lambda p: p[2] or date.min)
            return covering[-1][0], covering[-1][1]
        ordered = sorted(periods, key=lambda p: p[2] or date.min)
        if ordered[0][2] is not None and on < ordered[0][2]:
            return ordered[0][0], ""  # not yet managed here on that date
        return ordered[-1][0], ordered[-1][1]

    def local_ids(self, ids: Iterable[int]) -> dict[int, str]:
        return dict(_select_in(f"SELECT id, local_id FROM {_P} WHERE id IN ({{ids}})", set(ids)))

    # --- events ---------------------------------------------------------------------------
    def _known_events(self, rows: Iterable[tuple], types: frozenset[str] | None) -> list[tuple]:
        on, d = self.on, self.date
        if types is None:
            return [r for r in rows if d(r[3]) <= on]
        return [r for r in rows if r[2] in types and d(r[3]) <= on]

    def events_of(self, ids: Iterable[int], types: frozenset[str] | None) -> list[tuple]:
        return self._known_events(_select_in(
            f"SELECT {self.ecols} FROM {_E} WHERE person_id IN ({{ids}}) AND date <= %s",
            sorted(set(ids)), [self.on_param],
        ), types)

    def events_in_range(self, lo: int, hi: int) -> list[tuple]:
        """Events known on ``on`` of the persons with ids in [lo, hi] (types filtered in SQL
        with NOT IN, which no index serves, so the person index is the one used)."""
        sql = (f"SELECT {self.ecols} FROM {_E} WHERE person_id >= %s AND person_id <= %s "
               "AND date <= %s")
        params: list = [lo, hi, self.on_param]
        if self.types is not None:
            other = sorted(set(EventType.values) - self.types)
            if other:
                sql += f" AND type NOT IN ({', '.join(['%s'] * len(other))})"
                params += other
        for type_, horizon in sorted(self.horizons.items()):
            sql += " AND NOT (type = %s AND date < %s)"
            params += [type_, horizon.isoformat() if connection.vendor == "sqlite" else horizon]
        return list(_select(sql, params))

    def events(self, rows: Iterable[tuple], local_ids: dict[int, str]) -> list[Event]:
        """Event facts of ``rows`` (each event once), for persons in ``local_ids``."""
        d, person_of, make = self.date, local_ids.get, Event
        facility_code = self.facility_codes.setdefault
        seen: set[str] = set()
        out = []
        for pid, event_id, type_, day, lmp, outcome, discharge, vaccine, dose, method, \
                condition, partner, facility in rows:
            person = person_of(pid)
            if person is None or event_id in seen:
                continue
            seen.add(event_id)
            out.append(make(
                event_id, person, type_, d(day), d(lmp) if lmp else None, outcome or "",
                d(discharge) if discharge else None, vaccine or "", dose, method or "",
                condition or "", person_of(partner) if partner else None,
                facility_code(facility, facility) if facility else None,
            ))
        return out

    # --- one district ---------------------------------------------------------------------
    def build(self, rows: list[tuple], periods: dict[int, list[tuple]],
              id_range: tuple[int, int] | None = None) -> District:
        """The district of subjects ``rows`` (all ids in ``id_range`` when given)."""
        on = self.on
        subject_ids = [r[0] for r in rows]
        subject_set = set(subject_ids)
        merged = self.merge_sources(subject_ids, id_range)
        sources = sorted(merged)
        local_ids: dict[int, str] = {r[0]: r[1] for r in rows}
        if id_range is not None:
            lo, hi = id_range
            own = self.events_in_range(lo, hi)
            if self.child_cutoff is not None:
                d, cutoff = self.date, self.child_cutoff
                old = {r[0] for r in rows if d(r[5]) < cutoff}
                own = [r for r in own if r[2] not in CHILD_EVENT_TYPES or r[0] not in old]
            named = list(_select(
                f"SELECT {self.ecols} FROM {_E} WHERE partner_id >= %s AND partner_id <= %s",
                [lo, hi],
            ))
            children = list(_select(
                f"SELECT {self.pcols}, merged_into_id FROM {_P} "
                "WHERE mother_id >= %s AND mother_id <= %s", [lo, hi],
            ))
            if sources:
                own += self.events_of(sources, self.types)
        else:
            own = self.events_of(subject_ids, self.types)
            named = list(_select_in(
                f"SELECT {self.ecols} FROM {_E} WHERE partner_id IN ({{ids}})", subject_ids,
            ))
            children = []
        if sources:
            named += _select_in(f"SELECT {self.ecols} FROM {_E} WHERE partner_id IN ({{ids}})", sources)
        if id_range is None or sources:
            children += _select_in(
                f"SELECT {self.pcols}, merged_into_id FROM {_P} WHERE mother_id IN ({{ids}})",
                subject_ids + sources if id_range is None else sources,
            )
        # marriages naming a subject as partner (the other spouse may live anywhere)
        named = self._known_events((r for r in named if r[2] == "marriage"), None)
        children_rows = [r for r in self._known_persons(children) if r[0] not in subject_set]
        spouses = {r[11] for r in own if r[2] == "marriage" and r[11] is not None}
        spouses |= {r[0] for r in named}
        # mothers of recently born subjects: their deliveries give the newborn's discharge
        recent = on - timedelta(days=NEWBORN_LOOKBACK_DAYS)
        d = self.date
        mothers = {r[10] for r in rows if r[10] is not None and d(r[5]) > recent}
        # persons referred to may have been merged into others, or others into them
        refs = {r[10] for r in rows if r[10] is not None} | spouses | mothers
        refs = refs - subject_set - merged.keys()
        if refs:
            merged.update(self.merge_targets(refs))
        spouses = {merged.get(s, s) for s in spouses} - subject_set
        mothers = {merged.get(m, m) for m in mothers} - subject_set
        if spouses or mothers:
            merged.update(self.merge_sources(spouses | mothers))
        by_target: dict[int, list[int]] = {}
        for src, target in merged.items():
            by_target.setdefault(target, []).append(src)
        spouse_events = self.events_of(
            [i for s in spouses for i in (s, *by_target.get(s, ()))], SPOUSE_EVENT_TYPES
        ) if spouses else []
        mother_events = [
            r for r in self.events_of(
                [i for m in mothers for i in (m, *by_target.get(m, ()))], OUTCOME_TYPES
            ) if d(r[3]) > recent
        ] if mothers else []
        # local_ids of every person referred to
        wanted = {r[10] for r in rows if r[10] is not None}
        wanted |= spouses | mothers | {r[0] for r in named}
        wanted |= {r[11] for r in own if r[11] is not None}
        wanted |= {r[0] for r in children_rows}
        wanted = {merged.get(i, i) for i in wanted}
        missing = wanted - local_ids.keys()
        if missing:
            local_ids.update(self.local_ids(missing))
        for src, target in merged.items():
            if target in local_ids:
                local_ids[src] = local_ids[target]
        persons = [self.person(r, periods.get(r[0]), local_ids) for r in rows]
        persons += [self.person(r, None, local_ids) for r in children_rows]
        events = self.events(chain(own, named, spouse_events, mother_events), local_ids)
        return District.build(
            units=self.units, facilities=self.facilities, persons=persons, events=events,
            subjects=[local_ids[i] for i in subject_ids],
        )

    # --- selecting subjects ---------------------------------------------------------------
    def for_villages(self, villages: list[str]) -> District:
        candidates = {r[0] for r in _select_in(
            f"SELECT id FROM {_P} WHERE village_id IN ({{ids}})", villages,
        )}
        candidates |= {r[0] for r in _select_in(
            f"SELECT person_id FROM {_R} WHERE village_id IN ({{ids}})", villages,
        )}
        rows = self.person_rows_by_ids(sorted(candidates))
        periods = self.periods([r[0] for r in rows])
        wanted = set(villages)
        keep = []
        for r in rows:
            village = self.as_of(periods[r[0]], r[6])[0] if r[0] in periods else r[6]
            if village in wanted:
                keep.append(r)
        return self.build(keep, periods)

    def for_persons(self, local_ids: list[str]) -> District:
        ids = [r[0] for r in _select_in(
            f"SELECT id FROM {_P} WHERE local_id IN ({{ids}})", local_ids
        )]
        merged = self.merge_targets(ids)
        rows = self.person_rows_by_ids(sorted({merged.get(i, i) for i in ids}))
        return self.build(rows, self.periods([r[0] for r in rows]))

    def chunks(self, size: int, ids: tuple[int, int] | None = None) -> Iterator[District]:
        """Districts of ``size`` consecutive persons (by id; only ids in ``ids`` when given)."""
        last = ids[0] - 1 if ids else 0
        stop = ids[1] if ids else sys.maxsize
        while True:
            batch = list(_select(
                f"SELECT {self.pcols}, merged_into_id FROM {_P} WHERE id > %s AND id <= %s "
                "ORDER BY id LIMIT %s", [last, stop, size],
            ))
            if not batch:
                return
            lo, hi = batch[0][0], batch[-1][0]
            last = hi
            rows = self._known_persons(batch)
            yield self.build(rows, self.periods_in_range(lo, hi), (lo, hi))


def district_from_db(
    *, on: date | None = None, villages: Iterable[str] | None = None,
    persons: Iterable[str] | None = None, types: Iterable[str] | None = None,
) -> District:
    """The facts known on ``on`` (default today) for every person, some villages or persons.

    ``villages``: village codes (a person belongs to the village they lived in on ``on``).
    ``persons``: local_ids. ``types``: event types to read (default all). The district's
    ``subjects`` are the persons asked for; others in it are only there as references.
    """
    on = on or timezone.localdate()
    builder = _Builder(on, types)
    if persons is not None:
        return builder.for_persons(sorted(set(persons)))
    if villages is not None:
        return builder.for_villages(sorted(set(villages)))
    # one chunk: the whole district in memory (use ``iter_districts`` to stream it)
    return next(builder.chunks(sys.maxsize), None) or District.build(
        units=builder.units, facilities=builder.facilities, persons=(), events=(), subjects=()
    )


def iter_districts(
    *, on: date, villages: Iterable[str] | None = None, chunk_size: int = 20_000,
    types: Iterable[str] | None = RULE_EVENT_TYPES, prune: Catalogue | None = None,
    ids: tuple[int, int] | None = None,
) -> Iterator[District]:
    """The district (or some villages of it) as a stream of partial districts of subjects.

    With ``prune`` (a catalogue), events that no rule of it can use on ``on`` are not read
    (``weiji.rules.relevance``): such districts are only for evaluating that catalogue on
    that date. ``ids``: only persons with database ids in this inclusive range.
    """
    builder = _Builder(on, types, prune)
    if villages is None:
        yield from builder.chunks(chunk_size, ids)
        return
    codes = sorted(set(villages))
    batch: list[str] = []
    count = 0
    village_sizes = dict(
        PersonRow.objects.filter(village_id__in=codes).values("village_id")
        .annotate(n=Count("id")).values_list("village_id", "n")
    )
    for code in codes:
        batch.append(code)
        count += village_sizes.get(code, 0)
        if count >= chunk_size:
            yield builder.for_villages(batch)
            batch, count = [], 0
    if batch:
        yield builder.for_villages(batch)


def due_items_from_db(
    *, as_of: date, catalogue: Catalogue | None = None, villages: Iterable[str] | None = None,
    chunk_size: int = 20_000, ids: tuple[int, int] | None = None,
) -> Iterator[DueItem]:
    """Every due item of the district (or of ``villages``) on ``as_of``, unsorted, streamed."""
    wanted = None if villages is None else set(villages)
    catalogue = catalogue or default_catalogue()
    for district in iter_districts(on=as_of, villages=wanted, chunk_size=chunk_size,
                                   prune=catalogue, ids=ids):
        yield from evaluate_district(district, as_of, catalogue, villages=wanted)


def _forget_inherited_connections() -> None:
    """In a forked worker: drop the parent's database connections without closing them
    (closing would talk on the parent's socket); the worker opens its own on first use."""
    for conn in connections.all(initialized_only=True):
        conn.connection = None
        conn.in_atomic_block = False
        conn.savepoint_ids = []
        conn.needs_rollback = False
        conn.closed_in_transaction = False


def _due_part(as_of: date, catalogue: dict, ids: tuple[int, int]) -> list[DueItem]:
    return list(due_items_from_db(as_of=as_of, catalogue=Catalogue.from_dict(catalogue), ids=ids))


def due_items_parallel(
    *, as_of: date, catalogue: Catalogue | None = None, workers: int = 2,
) -> list[DueItem]:
    """The whole district's items on ``as_of`` computed by ``workers`` processes (unsorted).

    Persons are split into ``workers`` id ranges; each forked process opens its own
    database connection and streams its range. Data must be committed (other processes
    read it). It runs in this process instead when ``workers`` ≤ 1, where there is no
    ``fork``, or when this process runs other threads (forking them can deadlock).
    """
    catalogue = catalogue or default_catalogue()
    bounds = PersonRow.objects.aggregate(lo=Min("id"), hi=Max("id"))
    if (workers <= 1 or bounds["lo"] is None or "fork" not in mp.get_all_start_methods()
            or threading.active_count() > 1
            or any(c.in_atomic_block for c in connections.all(initialized_only=True))):
        return list(due_items_from_db(as_of=as_of, catalogue=catalogue))
    lo, hi = bounds["lo"], bounds["hi"]
    step = (hi - lo) // workers + 1
    parts = [(lo + i * step, min(hi, lo + (i + 1) * step - 1)) for i in range(workers)]
    data = catalogue.to_dict()
    connections.close_all()  # each process opens its own
    with mp.get_context("fork").Pool(workers, initializer=_forget_inherited_connections) as pool:
        results = pool.starmap(_due_part, [(as_of, data, part) for part in parts])
    return [item for part in results for item in part]
