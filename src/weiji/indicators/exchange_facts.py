"""Read the register into rule facts for the exchange and campaigns.

Delegates to the shared adapter ``weiji.worklists.facts.district_from_db`` when it is
installed; otherwise it builds the ``District`` from the current state of the register
(persons merged into another are left out; events of the merged record are not moved).
"""

from __future__ import annotations

from datetime import date
from importlib import util as importlib_util

from weiji.rules.facts import District, Event, Facility, Person, Unit


def district_snapshot(*, on: date | None = None) -> District:
    """Every unit, facility, person and event, as facts (state on ``on`` when supported)."""
    if importlib_util.find_spec("weiji.worklists.facts") is not None:
        from weiji.worklists.facts import district_from_db

        return district_from_db(on=on)
    return _district_from_current_state()


def _district_from_current_state() -> District:
    from weiji.orgunits.models import Catchment, OrgUnit
    from weiji.orgunits.models import Facility as FacilityRow
    from weiji.records.models import Event as EventRow
    from weiji.registry.models import Person as PersonRow

    units = [
        Unit(code, name, level, parent_id, urban_rural or "")
        for code, name, level, parent_id, urban_rural in OrgUnit.objects.values_list(
            "code", "name", "level", "parent_id", "urban_rural")
    ]
    serves: dict[str, list[str]] = {}
    for fid, unit in Catchment.objects.values_list("facility_id", "orgunit_id"):
        serves.setdefault(fid, []).append(unit)
    facilities = [
        Facility(code, name, kind, orgunit_id, tuple(sorted(serves.get(code, ()))))
        for code, name, kind, orgunit_id in FacilityRow.objects.values_list(
            "code", "name", "kind", "orgunit_id")
    ]
    local_ids: dict[int, str] = {}
    persons = []
    for row in PersonRow.objects.filter(merged_into__isnull=True).values(
        "pk", "local_id", "id_number", "name", "sex", "birth_date", "village_id", "residency",
        "inflow_date", "marital_status", "mother__local_id", "death_date", "phone",
        "hukou_division", "household__code",
    ).iterator(chunk_size=5000):
        local_ids[row["pk"]] = row["local_id"]
        persons.append(Person(
            local_id=row["local_id"], id_number=row["id_number"] or "", name=row["name"],
            sex=row["sex"], birth_date=row["birth_date"], village_code=row["village_id"],
            residency=row["residency"], inflow_date=row["inflow_date"],
            marital_status=row["marital_status"] or "", mother=row["mother__local_id"],
            death_date=row["death_date"], phone=row["phone"] or "",
            hukou_division=row["hukou_division"] or "",
            household_id=row["household__code"] or "",
        ))
    events = []
    for row in EventRow.objects.values(
        "event_id", "person_id", "type", "date", "lmp", "outcome", "discharge_date", "vaccine",
        "dose", "method", "condition", "partner_id", "facility_id",
    ).iterator(chunk_size=10000):
        person = local_ids.get(row["person_id"])
        if person is None:
            continue
        events.append(Event(
            event_id=row["event_id"], person=person, type=row["type"], date=row["date"],
            lmp=row["lmp"], outcome=row["outcome"] or "", discharge_date=row["discharge_date"],
            vaccine=row["vaccine"] or "", dose=row["dose"], method=row["method"] or "",
            condition=row["condition"] or "", partner=local_ids.get(row["partner_id"]),
            facility_code=row["facility_id"],
        ))
    return District.build(units=units, facilities=facilities, persons=persons, events=events)
