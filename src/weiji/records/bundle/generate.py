"""A synthetic district written as a bundle (``weiji generate``, ``weiji demo``).

Households of Chinese names with valid ID numbers, registered, absent and inflow
residents, marriages, pregnancies (with losses and twins), antenatal, delivery and
postpartum care, newborn visits, child checkups and vaccinations following the schedule
(with delays and missed doses), contraception, women's checkups, home visits, elderly
checkups, chronic disease management and deaths — about ten events per person, dated
up to the end of 2026 so that lists and indicators for 2025–2027 have content.

Deterministic for a seed; written household by household, so memory stays flat
whatever the number of persons.
"""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from weiji.records.bundle import names as words
from weiji.records.bundle.checks import EVENT_COLUMNS as _EVENT_COLUMNS
from weiji.records.bundle.checks import (
    FACILITY_COLUMNS,
    ORGUNIT_COLUMNS,
    PERSON_COLUMNS,
)
from weiji.registry.ids import id_number_check_char
from weiji.rules.dates import add_months
from weiji.rules.schedule import default_schedule

END = date(2026, 12, 31)  # records run up to this day
RECORDS_FROM = date(2014, 1, 1)  # digital maternal and child records start here
EVENT_COLUMNS = _EVENT_COLUMNS[:14]  # the format's columns (no signed_by/source_system)
PERSONS_PER_VILLAGE = 800
VILLAGES_PER_TOWN = 20
_END_ORD = END.toordinal()


@dataclass(frozen=True)
class GenerateSummary:
    out: Path
    orgunits: int
    facilities: int
    persons: int
    events: int


@dataclass
class _Village:
    code: str
    center: str  # responsible health / community centre
    clinic: str | None  # village clinic, if any


@dataclass
class _Person:
    local_id: str
    sex: str
    birth: date
    village: _Village
    residency: str
    inflow: date | None = None
    death: date | None = None
    hukou: str = ""

    @property
    def last_day(self) -> date:
        return min(END, self.death) if self.death else END


def _days(d: date, n: int) -> date:
    return d + timedelta(days=n)


class _Writer:
    """Generates and writes one district; all randomness comes from ``self.rng``."""

    def __init__(self, *, persons: int, out: Path, seed: int, county: str):
        self.target = persons
        self.out = out
        self.rng = random.Random(seed)
        self.county = county
        self.schedule = default_schedule()
        self.person_seq = 0
        self.household_seq = 0
        self.event_seq = 0
        self.staff: dict[str, list[str]] = {}
        self.orgunit_rows: list[tuple] = []
        self.facility_rows: list[tuple] = []
        self.villages: list[_Village] = []
        self.hospital = f"{county}RMYY"
        self.mch = f"{county}MCH"

    # -- structure -----------------------------------------------------------------
    def _staff_for(self, facility: str) -> None:
        rng = self.rng
        self.staff[facility] = [
            rng.choice(words.STAFF_SURNAMES) + "".join(rng.choices(words.STAFF_CHARS, k=rng.randint(1, 2)))
            for _ in range(rng.randint(3, 6))
        ]

    def _facility(self, code: str, name: str, kind: str, orgunit: str, serves: list[str]) -> None:
        self.facility_rows.append((code, name, kind, orgunit, ";".join(serves)))
        self._staff_for(code)

    def build_structure(self) -> None:
        rng = self.rng
        n_villages = max(3, round(self.target / PERSONS_PER_VILLAGE))
        n_towns = max(1, math.ceil(n_villages / VILLAGES_PER_TOWN))
        n_streets = max(1, n_towns // 4) if n_towns > 1 else 0
        county = self.county
        self.orgunit_rows.append((county, "示范县", "county", "", ""))
        self._facility(self.hospital, "示范县人民医院", "hospital", county, [])
        self._facility(self.mch, "示范县妇幼保健计划生育服务中心", "mch_center", county, [])
        per_town = [n_villages // n_towns + (1 if i < n_villages % n_towns else 0)
                    for i in range(n_towns)]
        center_seq = 0
        for t in range(n_towns):
            street = t < n_streets
            town = f"{county}{(t + 1) if street else (100 + t):03d}"
            word = words.TOWN_WORDS[t % len(words.TOWN_WORDS)]
            suffix = "" if t < len(words.TOWN_WORDS) else str(t // len(words.TOWN_WORDS) + 1)
            self.orgunit_rows.append(
                (town, f"{word}{suffix}{'街道' if street else '镇'}", "town", county, ""))
            count = per_town[t]
            n_zones = max(1, count // 8) if (street or count >= 6) else 0
            zones = [f"{town}Z{z + 1:02d}" for z in range(n_zones)]
            for z, zone in enumerate(zones):
                self.orgunit_rows.append(
                    (zone, f"{word}第{z + 1}{'片区' if street else '管区'}", "zone", town, ""))
            zone_center: dict[str, str] = {}
            if street:
                for z, zone in enumerate(zones):
                    center_seq += 1
                    code = f"{county}CC{center_seq:02d}"
                    zone_center[zone] = code
                    self._facility(code, f"{word}街道第{z + 1}社区卫生服务中心",
                                   "community_center", town, [zone])
                town_center = zone_center[zones[0]]
            else:
                center_seq += 1
                town_center = f"{county}HC{center_seq:02d}"
                self._facility(town_center, f"{word}镇卫生院", "health_center", town, [town])
            for v in range(count):
                if street:
                    code = f"{town}{v + 1:03d}"
                    name = words.COMMUNITY_WORDS[v % len(words.COMMUNITY_WORDS)] + "社区"
                    urban_rural = rng.choice(("111", "111", "112"))
                else:
                    code = f"{town}{v + 201:03d}"
                    name = (rng.choice(words.VILLAGE_WORDS) + rng.choice(words.VILLAGE_WORDS)
                            + rng.choice(words.VILLAGE_SUFFIXES))
                    urban_rural = rng.choice(("121", "122")) if v == 0 else rng.choice(
                        ("210", "220", "220"))
                in_zone = street or (zones and rng.random() < 0.8)
                parent = zones[v % len(zones)] if in_zone and zones else town
                self.orgunit_rows.append((code, name, "village", parent, urban_rural))
                center = zone_center.get(parent, town_center)
                clinic = None
                if not street and rng.random() < 0.8:
                    clinic = f"VC{code[-9:]}"
                    self._facility(clinic, f"{name}卫生室", "village_clinic", code, [code])
                self.villages.append(_Village(code, center, clinic))

    # -- people --------------------------------------------------------------------
    def _name(self, sex: str, surname: str | None = None, child: bool = False) -> str:
        rng = self.rng
        if surname is None:
            surname = rng.choices(words.SURNAMES, weights=words.SURNAME_WEIGHTS)[0]
        if child:
            pool = words.CHILD_MALE_CHARS if sex == "1" else words.CHILD_FEMALE_CHARS
        else:
            pool = words.MALE_CHARS if sex == "1" else words.FEMALE_CHARS
        return surname + "".join(rng.choices(pool, k=1 if rng.random() < 0.25 else 2))

    def _birth(self, age_min: int, age_max: int) -> date:
        low = _END_ORD - (age_max + 1) * 365 + 1
        high = _END_ORD - age_min * 365
        return date.fromordinal(self.rng.randint(low, max(low, high)))

    def _id_number(self, area: str, birth: date, sex: str) -> str:
        rng = self.rng
        if rng.random() < 0.002:
            return ""
        seq = rng.randint(0, 499) * 2 + (1 if sex == "1" else 0)
        first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
        number = first17 + id_number_check_char(first17)
        if rng.random() < 0.001:  # a typo: flagged for correction, never rejected
            i = rng.randint(0, 16)
            number = number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1:]
        return number

    def _phone(self) -> str:
        rng = self.rng
        if rng.random() < 0.15:
            return ""
        return rng.choice(("13", "15", "17", "18")) + str(rng.randint(0, 9)) + f"{rng.randint(0, 99999999):08d}"

    def _person(self, *, sex: str, birth: date, village: _Village, household: str,
                residency: str, inflow: date | None, hukou: str, marital: str = "",
                mother: str = "", name: str | None = None, surname: str | None = None,
                child: bool = False) -> _Person:
        rng = self.rng
        self.person_seq += 1
        local_id = f"P{self.person_seq:08d}"
        area = hukou if residency == "inflow" else self.county
        death = None
        age = (END - birth).days // 365
        if age >= 75 and rng.random() < 0.05:
            death = date.fromordinal(rng.randint(date(2023, 1, 1).toordinal(), _END_ORD))
        elif age <= 1 and rng.random() < 0.003:
            death = _days(birth, rng.randint(0, 27))
        if death is not None and death > END:
            death = None
        if inflow is not None and inflow < birth:
            inflow = birth
        id_number = self._id_number(area, birth, sex)
        if (END - birth).days < 90 and rng.random() < 0.5:
            id_number = ""  # newborns may have no number yet
        self.persons.writerow((
            local_id, id_number, name or self._name(sex, surname, child), sex, birth.isoformat(),
            self._phone() if age >= 18 else "", village.code, household, residency,
            inflow.isoformat() if inflow else "", hukou, marital, mother,
            death.isoformat() if death else "",
        ))
        return _Person(local_id, sex, birth, village, residency, inflow, death, hukou)

    def household(self, village: _Village) -> int:
        """Write one household and its events; return how many persons it has."""
        rng = self.rng
        self.household_seq += 1
        household = f"H{self.household_seq:010d}"
        roll = rng.random()
        if roll < 0.08:
            residency, hukou = "inflow", rng.choice(words.HUKOU_ELSEWHERE)
            recent = rng.random() < 0.3
            start = date(2025, 7, 1) if recent else date(2008, 1, 1)
            inflow = date.fromordinal(rng.randint(start.toordinal(), _END_ORD - 10))
        else:
            residency = "registered_absent" if roll < 0.12 else "registered_present"
            hukou, inflow = self.county, None
        common = {"village": village, "household": household, "residency": residency,
                  "inflow": inflow, "hukou": hukou}
        kind = rng.random()
        members: list[_Person] = []
        if kind < 0.12:  # elderly living alone or as a couple
            husband_birth = self._birth(65, 92)
            if rng.random() < 0.5:
                members.append(self._person(sex=rng.choice("12"), birth=husband_birth,
                                            marital="30", **common))
            else:
                members.append(self._person(sex="1", birth=husband_birth, marital="20", **common))
                members.append(self._person(sex="2", birth=_days(husband_birth, rng.randint(-700, 1500)),
                                            marital="20", **common))
            self.adult_events(members)
            return len(members)
        if kind < 0.22:  # a single young adult
            members.append(self._person(sex=rng.choice("12"), birth=self._birth(18, 34),
                                        marital=rng.choice(("10", "10", "90")), **common))
            self.adult_events(members)
            return 1
        self._family(common, members)
        return len(members)

    def _family(self, common: dict, members: list[_Person]) -> None:
        rng = self.rng
        husband_birth = self._birth(23, 64)
        wife_birth = _days(husband_birth, rng.randint(-3 * 365, 6 * 365))
        wife_birth = min(wife_birth, date(END.year - 21, 12, 31))
        earliest = max(date(husband_birth.year + 22, husband_birth.month, 1),
                       date(wife_birth.year + 20, 12, 31))
        marriage = _days(earliest, rng.randint(0, 6 * 365))
        marriage = min(marriage, _days(END, -60))
        marital = rng.choices(("21", "22", "20"), weights=(85, 10, 5))[0]
        surname = rng.choices(words.SURNAMES, weights=words.SURNAME_WEIGHTS)[0]
        husband = self._person(sex="1", birth=husband_birth, marital=marital, surname=surname, **common)
        wife = self._person(sex="2", birth=wife_birth, marital=marital, **common)
        members += [husband, wife]
        if rng.random() < 0.2:  # a widowed grandmother lives with them
            gm_birth = _days(husband_birth, -rng.randint(22 * 365, 32 * 365))
            if (END - gm_birth).days < 95 * 365:
                members.append(self._person(sex="2", birth=gm_birth, marital="30", **common))
        # Births, a pregnancy in progress and losses.
        births: list[tuple[date, int]] = []
        pregnancy_lmp: date | None = None
        t = _days(marriage, rng.randint(300, 1100))
        for continue_p in (0.93, 0.55, 0.15):
            if rng.random() > continue_p or (t - wife_birth).days > 42 * 365:
                break
            if t > END:
                lmp = _days(t, -280)
                if lmp <= _days(END, -14):
                    pregnancy_lmp = lmp
                break
            births.append((t, 2 if rng.random() < 0.012 else 1))
            t = _days(t, rng.randint(700, 2600))
        children: list[_Person] = []
        for birth, count in births:
            for _ in range(count):
                sex = rng.choice("12")
                age = (END - birth).days // 365
                child_res, child_inflow = common["residency"], common["inflow"]
                if age >= 18 and rng.random() < 0.5:
                    child_res, child_inflow = "registered_absent", None  # grown up, moved away
                child = self._person(
                    sex=sex, birth=birth, marital="10" if age >= 18 else "", mother=wife.local_id,
                    surname=surname, child=True,
                    **{**common, "residency": child_res,
                       "inflow": child_inflow if child_res == "inflow" else None},
                )
                children.append(child)
        members += children
        self.family_events(husband, wife, marriage, births, pregnancy_lmp, children)
        self.adult_events(members[:2] + members[2:len(members) - len(children)])
        for child in children:
            self.child_events(child)

    # -- events --------------------------------------------------------------------
    def event(self, person: _Person, type_: str, when: date, *, facility: str | None = None,
              **cols: str) -> None:
        if when < person.birth or when > person.last_day:
            return
        if person.inflow is not None and when < person.inflow and type_ not in (
                "pregnancy_outcome", "vaccination", "marriage"):
            return
        self.event_seq += 1
        if facility is None:
            facility = person.village.center
        staff = self.staff[facility]
        row = {"event_id": f"E{self.event_seq:09d}", "person_local_id": person.local_id,
               "type": type_, "date": when.isoformat(), "facility_code": facility,
               "performed_by": staff[self.event_seq % len(staff)], **cols}
        self.events.writerow(row)

    def family_events(self, husband: _Person, wife: _Person, marriage: date,
                      births: list[tuple[date, int]], pregnancy_lmp: date | None,
                      children: list[_Person]) -> None:
        rng = self.rng
        if marriage >= date(2010, 1, 1) and rng.random() < 0.8:
            if rng.random() < 0.4:
                self.event(husband, "marriage", marriage, partner_local_id=wife.local_id)
            else:
                self.event(wife, "marriage", marriage, partner_local_id=husband.local_id)
            if marriage >= RECORDS_FROM and rng.random() < 0.6:
                check = _days(marriage, rng.randint(20, 200))
                self.event(wife, "preconception_checkup", check)
                self.event(husband, "preconception_checkup", check)
        for i, (birth, _count) in enumerate(births):
            lmp = _days(birth, -rng.randint(266, 290))
            if lmp < RECORDS_FROM:
                continue
            if rng.random() < 0.06:  # an earlier loss
                loss_lmp = _days(lmp, -rng.randint(150, 420))
                if loss_lmp > marriage:
                    self.pregnancy_events(wife, loss_lmp, lost=True)
            if i > 0 and rng.random() < 0.4:
                self.event(wife, "birth_registration", _days(lmp, -rng.randint(30, 200)))
            self.pregnancy_events(wife, lmp, birth=birth, twins=_count == 2)
        if pregnancy_lmp is not None:
            if births and rng.random() < 0.4:
                self.event(wife, "birth_registration", _days(pregnancy_lmp, -rng.randint(30, 200)))
            self.pregnancy_events(wife, pregnancy_lmp)
        self.contraception_events(wife, husband, births)

    def pregnancy_events(self, wife: _Person, lmp: date, *, birth: date | None = None,
                         twins: bool = False, lost: bool = False) -> None:
        rng = self.rng
        if rng.random() < 0.5:
            self.event(wife, "folic_acid", _days(lmp, -rng.randint(30, 90)))
        registered = _days(lmp, rng.randint(35, 75))
        if not lost or rng.random() < 0.6:
            self.event(wife, "pregnancy_registered", registered, lmp=lmp.isoformat())
            if rng.random() < 0.03:  # registered twice, same lmp
                self.event(wife, "pregnancy_registered", _days(registered, rng.randint(5, 40)),
                           lmp=lmp.isoformat())
        if lost:
            outcome = rng.choice(("miscarriage", "miscarriage", "induced_abortion"))
            self.event(wife, "pregnancy_outcome", _days(lmp, rng.randint(50, 110)),
                       outcome=outcome, facility=self.mch)
            return
        if rng.random() < 0.88:
            self.event(wife, "maternal_handbook", _days(lmp, rng.randint(56, 90)))
        for week_low, week_high in ((16, 20), (21, 24), (28, 36), (37, 40)):
            if rng.random() < 0.88:
                self.event(wife, "antenatal_visit",
                           _days(lmp, rng.randint(week_low * 7, week_high * 7)),
                           facility=rng.choice((self.mch, wife.village.center)))
        if birth is None:
            return
        place = rng.choice((self.hospital, self.hospital, self.mch))
        discharge = _days(birth, rng.randint(1, 5))
        for _ in range(2 if twins else 1):
            self.event(wife, "pregnancy_outcome", birth, outcome="live_birth",
                       discharge_date=discharge.isoformat() if rng.random() < 0.95 else "",
                       facility=place)
        if rng.random() < 0.85:
            self.event(wife, "postpartum_visit", _days(discharge, rng.randint(3, 10)))
        if rng.random() < 0.8:
            self.event(wife, "postpartum_42d", _days(birth, rng.randint(42, 56)))

    def contraception_events(self, wife: _Person, husband: _Person,
                             births: list[tuple[date, int]]) -> None:
        rng = self.rng
        if not births or rng.random() > 0.55:
            return
        start = _days(births[-1][0], rng.randint(60, 150))
        if start < RECORDS_FROM:
            start = date.fromordinal(rng.randint(RECORDS_FROM.toordinal(), _END_ORD))
        method = rng.choices(("iud", "implant", "sterilization", "injection", "pill", "condom"),
                             weights=(40, 8, 10, 4, 13, 25))[0]
        person = husband if method == "condom" and rng.random() < 0.5 else wife
        self.event(person, "contraception", start, method=method)
        if method in ("pill", "condom", "injection"):
            when = start
            for _ in range(rng.randint(0, 4)):
                when = _days(when, rng.randint(150, 400))
                self.event(person, "contraception", when, method=method)
        elif method == "iud" and rng.random() < 0.08:
            self.event(wife, "contraception", _days(start, rng.randint(400, 2500)), method="removed")

    def adult_events(self, adults: list[_Person]) -> None:
        rng = self.rng
        for person in adults:
            away = person.residency == "registered_absent"
            if away and rng.random() < 0.7:
                continue
            birth = person.birth
            age = (END - birth).days // 365
            if person.inflow is not None and rng.random() < 0.8:
                self.event(person, "home_visit", _days(person.inflow, rng.randint(3, 40)),
                           facility=person.village.clinic or person.village.center)
            for year in range(2022, 2027):
                if rng.random() < 0.3:
                    self.event(person, "home_visit",
                               date(year, rng.randint(1, 12), rng.randint(1, 28)),
                               facility=person.village.clinic or person.village.center)
            if person.sex == "2" and 20 <= age <= 64:
                for year in (2021, 2023, 2025):
                    if rng.random() < 0.55:
                        self.event(person, "health_checkup",
                                   date(year, rng.randint(3, 11), rng.randint(1, 28)))
            for year in range(2021, 2027):
                if year - birth.year >= 65 and rng.random() < 0.65:
                    self.event(person, "elderly_checkup",
                               date(year, rng.randint(3, 11), rng.randint(1, 28)))
            if age >= 35:
                for condition, base, slope in (("hypertension", 0.05, 0.006),
                                               ("diabetes", 0.02, 0.002)):
                    if rng.random() < base + slope * (age - 35):
                        self.chronic_events(person, condition)

    def chronic_events(self, person: _Person, condition: str) -> None:
        rng = self.rng
        low = max(date(person.birth.year + 35, 1, 1), date(2012, 1, 1)).toordinal()
        high = _END_ORD - 30
        if low > high:
            return
        diagnosed = date.fromordinal(rng.randint(low, high))
        place = person.village.clinic or person.village.center
        self.event(person, "chronic_diagnosis", diagnosed, condition=condition)
        when = max(_days(diagnosed, rng.randint(20, 90)), date(2022, 1, 1))
        while when <= END:
            if rng.random() < 0.85:
                self.event(person, "chronic_followup", when, condition=condition, facility=place)
            when = _days(when, rng.randint(80, 100))

    def child_events(self, child: _Person) -> None:
        rng = self.rng
        birth = child.birth
        if birth < date(2010, 1, 1):
            return
        if birth >= RECORDS_FROM and rng.random() < 0.9:
            self.event(child, "newborn_visit", _days(birth, rng.randint(3, 10)))
        for months in (1, 3, 6, 8, 12, 18, 24, 30, 36, 48, 60, 72):
            if rng.random() < 0.85:
                self.event(child, "child_checkup", _days(add_months(birth, months), rng.randint(0, 20)))
        last_by_vaccine: dict[str, date] = {}
        skipped: set[str] = set()
        for dose in self.schedule.doses_for(birth):
            if dose.vaccine in skipped:
                continue
            if rng.random() < 0.03:
                skipped.add(dose.vaccine)  # the series stops here (a realistic gap)
                continue
            when = add_months(birth, dose.age_months)
            previous = last_by_vaccine.get(dose.vaccine)
            if previous is not None:
                when = max(when, _days(previous, dose.min_interval_days))
            roll = rng.random()
            delay = rng.randint(0, 14) if roll < 0.85 else rng.randint(15, 90)
            when = _days(when, delay)
            if when > add_months(birth, dose.max_age_months) or when > child.last_day:
                continue
            last_by_vaccine[dose.vaccine] = when
            self.event(child, "vaccination", when, vaccine=dose.vaccine, dose=str(dose.dose))

    # -- driver --------------------------------------------------------------------
    def run(self) -> GenerateSummary:
        self.out.mkdir(parents=True, exist_ok=True)
        self.build_structure()
        with open(self.out / "orgunits.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(ORGUNIT_COLUMNS)
            writer.writerows(self.orgunit_rows)
        with open(self.out / "facilities.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(FACILITY_COLUMNS)
            writer.writerows(self.facility_rows)
        with (open(self.out / "persons.csv", "w", encoding="utf-8", newline="") as pf,
              open(self.out / "events.csv", "w", encoding="utf-8", newline="") as ef):
            self.persons = csv.writer(pf)
            self.persons.writerow(PERSON_COLUMNS)
            self.events = csv.DictWriter(ef, fieldnames=EVENT_COLUMNS, restval="")
            self.events.writeheader()
            n_villages = len(self.villages)
            written = 0
            while written < self.target:
                # Fill villages in turn, so each village gets its share of households.
                village = self.villages[self.household_seq % n_villages]
                written += self.household(village)
        return GenerateSummary(self.out, len(self.orgunit_rows), len(self.facility_rows),
                               self.person_seq, self.event_seq)


def district_generate(*, persons: int, out: Path, seed: int = 1,
                      county: str = "370921") -> GenerateSummary:
    """Write a synthetic district of about ``persons`` residents as a bundle folder."""
    if persons < 1:
        raise ValueError("人数须为正数 / persons must be positive")
    if len(county) != 6 or not county.isdigit():
        raise ValueError("县级代码须为6位数字 / the county code must be 6 digits")
    return _Writer(persons=persons, out=Path(out), seed=seed, county=county).run()
