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
from datetime import date

from django.db.models import Count, Max, Q

from weiji.indicators.pruning import EventNeeds
from weiji.rules.facts import District, Event, Facility, Person, Unit


def district_facts(*, needs: EventNeeds | None = None) -> District:
    """Every unit, facility and person (not merged away), and the events ``needs`` keeps
    (all events without it), as facts in their current state."""
    from weiji.orgunits.models import Catchment, OrgUnit
    from weiji.orgunits.models import Facility as FacilityRow
    from weiji.records.models import Event as EventRow
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
    rows = list(PersonRow.objects.filter(merged_into__isnull=True).values_list(
        "pk", "local_id", "id_number", "name", "sex", "birth_date", "village_id", "residency",
        "inflow_date", "marital_status", "mother_id", "death_date",
    ).iterator(chunk_size=20000))
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
    event_rows = EventRow.objects.all()
    if needs is not None:
        event_rows = event_rows.filter(date__lte=needs.until)
        if not needs.everything:
            wanted = Q(pk__in=[])
            for type_, floor in needs.floors.items():
                cond = Q(type=type_)
                if floor is not None:
                    cond &= Q(date__gte=floor)
                if type_ == "vaccination" and needs.vaccination_born_from is not None:
                    cond &= Q(person__birth_date__gte=needs.vaccination_born_from)
                wanted |= cond
            event_rows = event_rows.filter(wanted)
    events = []
    for (event_id, person_pk, type_, day, lmp, outcome, discharge, vaccine, dose, method,
         condition, partner_pk, facility) in event_rows.values_list(
            "event_id", "person_id", "type", "date", "lmp", "outcome", "discharge_date",
            "vaccine", "dose", "method", "condition", "partner_id", "facility_id",
    ).iterator(chunk_size=20000):
        person = local_ids.get(person_pk)
        if person is None:
            continue
        events.append(Event(event_id, person, type_, day, lmp, outcome or "", discharge,
                            vaccine or "", dose, method or "", condition or "",
                            local_ids.get(partner_pk), facility))
    return District.build(units=units, facilities=facilities, persons=persons, events=events)


def period_fingerprint(*, period_end: date, definitions_hash: str) -> str:
    """What a period's indicators depend on: events dated ≤ P2, persons, units, definitions.

    Counts and the latest ``updated_at`` of each (a deleted row lowers a count, an edited row
    raises a timestamp), so any change to the records of the period gives a new fingerprint.
    """
    from weiji.orgunits.models import OrgUnit
    from weiji.records.models import Event as EventRow
    from weiji.registry.models import Person as PersonRow

    parts = [definitions_hash]
    for qs in (
        EventRow.objects.filter(date__lte=period_end),
        PersonRow.objects.all(),
        OrgUnit.objects.all(),
    ):
        agg = qs.aggregate(n=Count("pk"), latest=Max("updated_at"))
        parts.append(f"{agg['n']}:{agg['latest'].isoformat() if agg['latest'] else ''}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
