"""The register as rule facts for indicators, and the fingerprint of a period's data.

Indicators count people in their *current* village and residency (indicators.md) and use a
``death_date`` or ``inflow_date`` after P2 as given (Readings 17), so unlike the work lists'
adapter (``weiji.worklists.facts``, facts *known on* a date with residency history) this
reads the current state of every table with one set-based query each. Events after P2 are
left out by the blocks themselves. Events of a person merged into another count for the
person kept.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from datetime import date

from django.db import connection
from django.db.models import Count, Max

from weiji.indicators.pruning import EventNeeds
from weiji.rules.facts import District, Event, Facility, Person, Unit


def district_facts(*, needs: EventNeeds | None = None) -> District:
    """Every unit, facility and person (not merged away), and the events ``needs`` keeps
    (all events without it), as facts in their current state."""
    from weiji.orgunits.models import Catchment, OrgUnit
    from weiji.orgunits.models import Facility as FacilityRow
    from weiji.registry.models import Person as PersonRow

    units = [
        Unit(code, name, level, parent_id, urban_rural or "")
        for code, name, level, parent_id, urban_rural in OrgUnit.objects.values_list(
            "code", "name", "level", "parent_id", "urban_rural").iterator(chunk_size=5000)
    ]
    serves: dict[str, list[str]] = {}
    for fid, unit in Catchment.objects.values_list("facility_id", "orgunit_id"):
        serves.setdefault(fid, []).append(unit)
    facilities = [
        Facility(code, name, kind, orgunit_id, tuple(sorted(serves.get(code, ()))))
        for code, name, kind, orgunit_id in FacilityRow.objects.values_list(
            "code", "name", "kind", "orgunit_id")
    ]
    dates: dict = {}

    def day(value):  # SQLite returns text; share one date object per distinct day
        if value is None or isinstance(value, date):
            return value
        found = dates.get(value)
        if found is None:
            found = dates[value] = date.fromisoformat(value)
        return found

    # One raw scan (no ORM row conversion); on SQLite sequential, not through the index
    # of merged_into (almost every row has none).
    hint = " NOT INDEXED" if connection.vendor == "sqlite" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, local_id, id_number, name, sex, birth_date, village_id, residency, "
            f"inflow_date, marital_status, mother_id, death_date FROM "
            f"{PersonRow._meta.db_table}{hint} WHERE merged_into_id IS NULL")
        rows = [
            (pk, local_id, id_number, name, sex, day(birth), village, residency, day(inflow),
             marital, mother_pk, day(death))
            for (pk, local_id, id_number, name, sex, birth, village, residency, inflow, marital,
                 mother_pk, death) in cursor.fetchall()
        ]
    local_ids = {row[0]: row[1] for row in rows}
    merged = dict(PersonRow.objects.filter(merged_into__isnull=False)
                  .values_list("pk", "merged_into_id"))
    for pk, into in merged.items():
        seen = {pk}
        while into in merged and into not in seen:  # follow chains of merges
            seen.add(into)
            into = merged[into]
        if into in local_ids:
            local_ids[pk] = local_ids[into]
    persons = [
        Person(local_id, id_number or "", name, sex, birth, village, residency, inflow,
               marital or "", local_ids.get(mother_pk), death)
        for (_pk, local_id, id_number, name, sex, birth, village, residency, inflow, marital,
             mother_pk, death) in rows
    ]
    events = []
    for (event_id, person_pk, type_, when, lmp, outcome, discharge, vaccine, dose, method,
         condition, partner_pk, facility) in _event_rows(needs):
        person = local_ids.get(person_pk)
        if person is None:
            continue
        events.append(Event(event_id, person, type_, day(when), day(lmp), outcome or "",
                            day(discharge), vaccine or "", dose, method or "", condition or "",
                            local_ids.get(partner_pk), facility))
    return District.build(units=units, facilities=facilities, persons=persons, events=events)


def _event_rows(needs: EventNeeds | None):
    """One set-based scan of the events table, filtered by type and date in SQL.

    On SQLite the scan is forced sequential (``NOT INDEXED``): for most of the table a
    full scan beats millions of index look-ups.
    """
    from weiji.records.models import Event as EventRow

    table = EventRow._meta.db_table
    person_table = EventRow._meta.get_field("person").related_model._meta.db_table
    sqlite = connection.vendor == "sqlite"
    hint = " NOT INDEXED" if sqlite else ""

    def param(value: date):
        return value.isoformat() if sqlite else value

    sql = (f"SELECT e.event_id, e.person_id, e.type, e.date, e.lmp, e.outcome, "
           f"e.discharge_date, e.vaccine, e.dose, e.method, e.condition, e.partner_id, "
           f"e.facility_id FROM {table} e{hint}")
    params: list = []
    if needs is not None:
        sql += f" LEFT JOIN {person_table} p ON p.id = e.person_id WHERE e.date <= %s"
        params.append(param(needs.until))
        if not needs.everything:
            parts = []
            for type_, floor in sorted(needs.floors.items()):
                cond, cond_params = "e.type = %s", [type_]
                if floor is not None:
                    cond += " AND e.date >= %s"
                    cond_params.append(param(floor))
                if type_ == "vaccination" and needs.vaccination_born_from is not None:
                    cond += " AND p.birth_date >= %s"
                    cond_params.append(param(needs.vaccination_born_from))
                parts.append(f"({cond})")
                params += cond_params
            sql += f" AND ({' OR '.join(parts) or '1 = 0'})"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(20000):
            yield from rows


@contextmanager
def _small_sorter():
    """On SQLite, sort a big GROUP BY in small runs spilled to temporary files.

    With the project's large page cache and in-memory temp store, SQLite sorts the 2.8
    million rows of the fingerprint scan in one in-memory run, about three times slower
    (CPU) than its defaults (small runs merged from temporary files). Outside a
    transaction (SQLite refuses to move temporary storage inside one) the connection uses
    the defaults for that query and gets its settings back afterwards; the data read is
    the same either way.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_size = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA temp_store")
        temp_store = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size = -2000")
        cursor.execute("PRAGMA temp_store = FILE")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {cache_size}")
            cursor.execute(f"PRAGMA temp_store = {temp_store}")


def period_fingerprints(*, period_ends: list[date], definitions_hash: str) -> dict[date, str]:
    """What each period's indicators depend on: events dated ≤ P2, persons, units, definitions.

    Counts and the latest ``updated_at`` of each (a deleted row lowers a count, an edited row
    raises a timestamp), so any change to the records of a period gives it a new fingerprint,
    while changes dated after P2 leave it alone. One grouped scan of the events serves every
    period: counts and latest edits per event date, accumulated up to each P2.
    """
    from weiji.orgunits.models import OrgUnit
    from weiji.records.models import Event as EventRow
    from weiji.registry.models import Person as PersonRow

    common = [definitions_hash]
    for qs in (PersonRow.objects.all(), OrgUnit.objects.all()):
        agg = qs.aggregate(n=Count("pk"), latest=Max("updated_at"))
        common.append(f"{agg['n']}:{agg['latest'].isoformat() if agg['latest'] else ''}")
    if not period_ends:
        return {}
    with _small_sorter():
        per_day = sorted(
            EventRow.objects.filter(date__lte=max(period_ends)).values_list("date")
            .annotate(n=Count("pk"), latest=Max("updated_at")).order_by("date")
        )
    result = {}
    for end in sorted(set(period_ends)):
        count, latest = 0, None
        for day, n, last in per_day:
            if day > end:
                break
            count += n
            latest = last if latest is None or (last and last > latest) else latest
        parts = [*common, f"{count}:{latest.isoformat() if latest else ''}"]
        result[end] = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
    return result
