"""Small, edge-heavy bundles for the indicators, the campaign report and the migrant exchange.

    python -m acceptance.ref_ind_bundle SEED OUT_DIR

writes OUT_DIR/bundle/*.csv, OUT_DIR/campaign.yaml and OUT_DIR/plan.json (the periods,
exchange months and campaign dates the cases were built around). Every case puts dates
on or one day beside the edges the spec names (period ends, +42 days, 1st and 7th
birthdays, vaccine target dates under both schedule versions, quarter starts, P2 − 90,
P2 − 365, P2 − 6 months, campaign start/end, born_on_or_after, …).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
from pathlib import Path

from dateutil.relativedelta import relativedelta

from acceptance.ref_ind_load import read_schedule
from acceptance.ref_indicators import month_bounds

COUNTY = "320999"
TOWN_A, TOWN_B, TOWN_C = "320999001", "320999002", "320999003"
ZONE_A = TOWN_A + "Z01"
VILLAGES = {
    "320999001001": (ZONE_A, "111"),
    "320999001002": (ZONE_A, "220"),
    "320999001003": (TOWN_A, "121"),
    "320999002001": (TOWN_B, "210"),
    "320999002002": (TOWN_B, "112"),
    "320999002003": (TOWN_B, "220"),   # nobody lives here
}
LIVED_IN = sorted(v for v in VILLAGES if v != "320999002003")
FACILITIES = [
    ("320999HC01", "health_center", TOWN_A, TOWN_A),
    ("320999CC01", "community_center", ZONE_A, ZONE_A),
    ("320999HC02", "health_center", TOWN_B, TOWN_B),
    ("VC002001", "village_clinic", "320999002001", "320999002001"),
    ("320999RMYY", "hospital", COUNTY, ""),
    ("320999MCH", "mch_center", COUNTY, ""),
]
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = "伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平"


def d(x: dt.date | str) -> str:
    return x if isinstance(x, str) else x.isoformat()


class Gen:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.seed = seed
        self.persons: list[dict[str, str]] = []
        self.events: list[dict[str, str]] = []
        self.n_person = 0
        self.n_event = 0
        self.schedule = read_schedule()
        year = self.rng.choice([2025, 2026])
        m1 = self.rng.randint(1, 9)
        span = self.rng.choice([1, 3, 4, 6])
        m2 = min(12, m1 + span - 1)
        self.periods = [
            (f"{year}-{m1:02d}", f"{year}-{m2:02d}"),
            (f"{year - 1}-10", f"{year}-09"),
            (f"{year}-{m2:02d}", f"{year}-{m2:02d}") if span > 1 else (f"{year}-{m1 + 1:02d}", f"{year}-{m1 + 1:02d}"),
        ]
        self.bounds = [month_bounds(a, b) for a, b in self.periods]
        ex_month = self.rng.randint(1, 12)
        self.exchange_months = [f"{year}-{ex_month:02d}"]
        self.ex_bounds = month_bounds(self.exchange_months[0], self.exchange_months[0])
        start = dt.date(year, self.rng.randint(3, 5), self.rng.randint(1, 28))
        self.campaign = {"start": start, "end": start + dt.timedelta(days=self.rng.randint(20, 40)),
                         "born_on_or_after": dt.date(self.rng.randint(1975, 1990), 1, 1)}

    # -- primitives --------------------------------------------------------
    def pick(self, seq):
        return self.rng.choice(list(seq))

    def jitter(self, x: dt.date, choices=(-1, 0, 1)) -> dt.date:
        return x + dt.timedelta(days=self.pick(choices))

    def edge(self) -> dt.date:
        """A date on or beside one of the edges of the plan."""
        p1, p2 = self.pick(self.bounds + [self.ex_bounds])
        return self.jitter(self.pick([p1, p2, p1, p2, p1 + (p2 - p1) / 2]))

    def name(self) -> str:
        return self.pick(SURNAMES) + self.pick(GIVEN) + self.pick(GIVEN)

    def residency(self) -> tuple[str, str]:
        res = self.rng.choices(["registered_present", "inflow", "registered_absent"], [6, 3, 1])[0]
        if res != "inflow":
            return res, ""
        return res, d(self.edge() if self.rng.random() < 0.6 else self.edge() - relativedelta(years=2))

    def person(self, *, sex: str, birth: dt.date, village: str | None = None, residency: tuple | None = None,
               marital: str = "", mother: str = "", death: dt.date | None = None) -> str:
        self.n_person += 1
        pid = f"Q{self.n_person:05d}"
        res, inflow = residency or self.residency()
        self.persons.append({
            "local_id": pid, "id_number": "", "name": self.name(), "sex": sex, "birth_date": d(birth),
            "village_code": village or self.pick(LIVED_IN), "residency": res, "inflow_date": inflow,
            "marital_status": marital, "mother_local_id": mother, "death_date": d(death) if death else "",
        })
        return pid

    def event(self, pid: str, typ: str, date: dt.date, **cols) -> str:
        self.n_event += 1
        eid = f"F{self.n_event:06d}"
        row = {"event_id": eid, "person_local_id": pid, "type": typ, "date": d(date)}
        row.update({k: d(v) if isinstance(v, dt.date) else str(v) for k, v in cols.items()})
        if "facility_code" not in row and self.rng.random() < 0.7:
            row["facility_code"] = self.pick(f[0] for f in FACILITIES)
        self.events.append(row)
        return eid

    def woman(self, on: dt.date, *, lo: int = 18, hi: int = 48, **kw) -> str:
        age = self.rng.randint(lo, hi)
        birth = on - relativedelta(years=age) - dt.timedelta(days=self.rng.randint(0, 360))
        return self.person(sex="2", birth=birth, **kw)

    def marry(self, pid: str, on: dt.date) -> str | None:
        """A marriage: status code or an event on her or on the husband naming her."""
        how = self.rng.choice(["code", "event_her", "event_him", "code", "none"])
        row = next(p for p in self.persons if p["local_id"] == pid)
        if how == "code":
            row["marital_status"] = self.pick(["20", "21", "22", "23"])
            return None
        if how == "none":
            row["marital_status"] = self.pick(["10", "30", "40", "90"])
            if self.rng.random() < 0.5:
                self.event(pid, "marriage", on - dt.timedelta(days=400))
            return None
        husband = self.person(sex="1", birth=on - relativedelta(years=self.rng.randint(22, 50)),
                              village=row["village_code"])
        if how == "event_her":
            self.event(pid, "marriage", on, partner_local_id=husband)
        else:
            self.event(husband, "marriage", on, partner_local_id=pid)
        return husband

    # -- cases ---------------------------------------------------------------
    def case_birth(self) -> None:
        """A delivery on a period edge, its pregnancy, visits, the child(ren) and their fate."""
        b = self.edge()
        mother = self.woman(b, lo=19, hi=42)
        husband = self.marry(mother, b - dt.timedelta(days=self.rng.randint(300, 900)))
        lmp = b - dt.timedelta(days=self.pick([200, 260, 280, 300, 308, 309]))
        for _ in range(self.pick([1, 1, 2])):   # registered twice with the same lmp
            self.event(mother, "pregnancy_registered", lmp + dt.timedelta(days=self.pick([30, 60, 200])),
                       lmp=lmp)
        if self.rng.random() < 0.3:              # an older, earlier pregnancy
            old = lmp - dt.timedelta(days=self.pick([400, 700]))
            self.event(mother, "pregnancy_registered", old + dt.timedelta(days=40), lmp=old)
        if self.rng.random() < 0.8:
            self.event(mother, "maternal_handbook", lmp + dt.timedelta(days=self.pick([-1, 0, 45, 90, 91])))
        visit_day = lmp + dt.timedelta(days=self.pick([100, 150, 250]))
        for i in range(self.pick([3, 4, 5])):
            when = visit_day if i < 2 else lmp + dt.timedelta(days=self.rng.randint(90, 320))
            self.event(mother, "antenatal_visit", when)
        twins = self.rng.random() < 0.2
        outcome = self.rng.choices(["live_birth", "stillbirth", "miscarriage"], [8, 1, 1])[0]
        discharge = self.pick(["", b, b + dt.timedelta(days=5)])
        for _ in range(2 if twins else 1):
            self.event(mother, "pregnancy_outcome", b, outcome=outcome, discharge_date=discharge)
        x = discharge if discharge else b + dt.timedelta(days=3)
        if self.rng.random() < 0.7:
            self.event(mother, "postpartum_visit", x + dt.timedelta(days=self.pick([-1, 0, 7, 28, 29])))
        if husband and self.rng.random() < 0.3:
            self.event(husband, "contraception", b + dt.timedelta(days=60), method="sterilization")
        if outcome != "live_birth":
            return
        mother_row = next(p for p in self.persons if p["local_id"] == mother)
        for _ in range(2 if twins else 1):
            res = (mother_row["residency"], mother_row["inflow_date"]) if self.rng.random() < 0.7 else None
            death = self.pick([None, None, None, b + dt.timedelta(days=7), b + dt.timedelta(days=8),
                               b + dt.timedelta(days=3), b + relativedelta(years=1),
                               b + relativedelta(years=1) - dt.timedelta(days=1), b + dt.timedelta(days=40)])
            child = self.person(sex=self.pick("12"), birth=b, residency=res, mother=mother, death=death,
                                village=mother_row["village_code"] if self.rng.random() < 0.8 else None)
            if self.rng.random() < 0.75:
                self.event(child, "newborn_visit", b + dt.timedelta(days=self.pick([0, 5, 28, 29])))
            if self.rng.random() < 0.4:
                self.event(child, "vaccination", b, vaccine="hepb", dose=1)

    def case_maternal_death(self) -> None:
        p1, p2 = self.pick(self.bounds)
        death = self.jitter(self.pick([p1, p2]))
        woman = self.woman(death, lo=20, hi=40, death=death)
        kind = self.pick(["open", "old_lost", "after_outcome", "registered_later", "too_late_outcome"])
        if kind in ("open", "registered_later"):
            lmp = death - dt.timedelta(days=self.pick([0, 50, 200]))
            reg = death + dt.timedelta(days=1) if kind == "registered_later" else lmp + dt.timedelta(days=0)
            self.event(woman, "pregnancy_registered", min(reg, p2), lmp=lmp)
        elif kind == "old_lost":
            lmp = death - dt.timedelta(days=self.pick([500, 800]))
            self.event(woman, "pregnancy_registered", lmp + dt.timedelta(days=30), lmp=lmp)
        else:
            gap = self.pick([41, 42, 43]) if kind == "after_outcome" else self.pick([0, 10])
            out = death - dt.timedelta(days=gap)
            lmp = out - dt.timedelta(days=self.pick([100, 270, 309]))
            self.event(woman, "pregnancy_registered", lmp + dt.timedelta(days=20), lmp=lmp)
            self.event(woman, "pregnancy_outcome", out,
                       outcome=self.pick(["live_birth", "miscarriage", "induced_abortion", "stillbirth"]))

    def case_infant_death(self) -> None:
        p1, p2 = self.pick(self.bounds)
        death = self.jitter(self.pick([p1, p2]))
        birth = death - relativedelta(years=1) + dt.timedelta(days=self.pick([-1, 0, 1]))
        if self.rng.random() < 0.2:
            birth = dt.date(2024, 2, 29)
            death = dt.date(2025, 2, 28) + dt.timedelta(days=self.pick([-1, 0, 1]))
        self.person(sex=self.pick("12"), birth=birth, death=death)

    def case_child(self) -> None:
        """A child whose 7th birthday or a vaccine target date sits on a period edge."""
        p1, p2 = self.pick(self.bounds)
        if self.rng.random() < 0.25:
            birth = self.jitter(p2 - relativedelta(years=7))
        else:
            dose = self.pick(self.schedule)
            birth = self.jitter(self.pick([p1, p2]) - relativedelta(months=dose.age_months), (-1, 0, 0, 1))
        if self.rng.random() < 0.15:
            birth = self.jitter(dt.date(2025, 1, 1))       # the schedule change
        child = self.person(sex=self.pick("12"), birth=birth,
                            death=self.pick([None] * 8 + [p2, p2 + dt.timedelta(days=1)]))
        version = max((x.effective_from, x.version) for x in self.schedule if x.effective_from <= birth)[1]
        given: dict[str, dt.date] = {}
        for dose in (x for x in self.schedule if x.version == version):
            if self.rng.random() < 0.25:
                continue
            if dose.dose > 1 and dose.vaccine not in given:
                continue
            target = birth + relativedelta(months=dose.age_months)
            when = target + dt.timedelta(days=self.pick([-10, 0, 30, 31, 60]))
            if dose.vaccine in given:
                when = max(when, given[dose.vaccine] + dt.timedelta(days=self.pick([0, dose.min_interval_days])))
            if when < birth:
                when = birth
            given[dose.vaccine] = when
            self.event(child, "vaccination", when, vaccine=dose.vaccine, dose=dose.dose)
            if self.rng.random() < 0.05:
                self.event(child, "vaccination", when + dt.timedelta(days=3), vaccine=dose.vaccine, dose=dose.dose)
        for _ in range(self.pick([0, 1, 2])):
            self.event(child, "child_checkup", self.jitter(self.pick([p1, p2])))

    def case_elderly(self) -> None:
        p1, p2 = self.pick(self.bounds)
        birth = self.jitter(p2 - relativedelta(years=65))
        res = self.pick([("registered_present", ""), ("inflow", d(self.jitter(p2 - relativedelta(months=6)))),
                         ("inflow", d(p2 + dt.timedelta(days=10)))])
        pid = self.person(sex=self.pick("12"), birth=birth, residency=res)
        jan1 = dt.date(p2.year, 1, 1)
        self.event(pid, "elderly_checkup", self.jitter(self.pick([jan1, p2])))
        if self.rng.random() < 0.4:
            self.event(pid, "chronic_diagnosis", self.jitter(p1), condition=self.pick(["hypertension", "diabetes"]))

    def case_chronic(self) -> None:
        p1, p2 = self.pick(self.bounds)
        pid = self.person(sex=self.pick("12"), birth=p2 - relativedelta(years=self.rng.randint(40, 80)))
        cond = self.pick(["hypertension", "diabetes"])
        self.event(pid, "chronic_diagnosis", self.jitter(p1, (-30, 0, 1)), condition=cond)
        q = dt.date(p1.year, 3 * ((p1.month - 1) // 3) + 1, 1)
        while q <= p2 + relativedelta(months=3):
            if self.rng.random() < 0.8:
                qe = q + relativedelta(months=3) - dt.timedelta(days=1)
                self.event(pid, "chronic_followup", self.pick([q, qe, q + dt.timedelta(days=40)]),
                           condition=self.pick([cond, cond, cond, "hypertension"]))
            q += relativedelta(months=3)

    def case_contraception(self) -> None:
        _p1, p2 = self.pick(self.bounds)
        on = self.pick([p2, self.ex_bounds[1]])
        woman = self.woman(on, lo=14, hi=50)
        if self.rng.random() < 0.2:                       # exactly 15 / 49 / 50 on P2
            row = self.persons[-1]
            row["birth_date"] = d(self.jitter(on - relativedelta(years=self.pick([15, 49, 50]))))
        husband = self.marry(woman, on - dt.timedelta(days=self.pick([100, 364, 365, 1000])))
        wrow = self.persons[-1] if husband is None else next(p for p in self.persons if p["local_id"] == woman)
        if self.rng.random() < 0.85:
            self.person(sex=self.pick("12"), birth=on - dt.timedelta(days=self.pick([0, 1, 400, 2000])),
                        mother=woman, residency=self.pick([None, ("registered_absent", "")]),
                        village=wrow["village_code"])
        method = self.pick(["iud", "implant", "sterilization", "injection", "pill", "condom", "none"])
        if method in ("iud", "implant", "sterilization"):
            put = on - dt.timedelta(days=self.pick([0, 100, 700]))
            self.event(woman, "contraception", put, method=method)
            if self.rng.random() < 0.4:
                self.event(woman, "contraception", put + dt.timedelta(days=self.pick([0, 1, 50])), method="removed")
        elif method != "none":
            self.event(woman, "contraception", on - dt.timedelta(days=self.pick([0, 90, 91])), method=method)
        if husband and self.rng.random() < 0.3:
            self.event(husband, "contraception", on - dt.timedelta(days=200), method="sterilization")
            if self.rng.random() < 0.3:
                self.event(husband, "contraception", on - dt.timedelta(days=self.pick([200, 10])), method="removed")
        extra = self.rng.random()
        if extra < 0.2:
            self.event(woman, "pregnancy_outcome", on - dt.timedelta(days=self.pick([41, 42])),
                       outcome=self.pick(["live_birth", "miscarriage"]))
        elif extra < 0.4:
            lmp = on - dt.timedelta(days=self.pick([100, 310, 311]))
            self.event(woman, "pregnancy_registered", lmp + dt.timedelta(days=40), lmp=lmp)
        for _ in range(self.pick([0, 1])):
            self.event(woman, self.pick(["preconception_checkup", "folic_acid", "health_checkup", "home_visit"]),
                       on - dt.timedelta(days=self.pick([0, 365, 366])))

    def case_migrant(self) -> None:
        p1, p2 = self.ex_bounds
        inflow = self.pick([p1, p2, p1 - dt.timedelta(days=1), p2 + dt.timedelta(days=1),
                            p2 - relativedelta(months=6)])
        sex = self.rng.choices("12", [1, 3])[0]
        birth = self.pick([self.jitter(p2 - relativedelta(years=7)), p2, p1 - relativedelta(years=30)])
        res = self.pick([("inflow", d(inflow))] * 4 + [("registered_present", ""), ("registered_absent", "")])
        pid = self.person(sex=sex, birth=birth, residency=res,
                          death=self.pick([None] * 6 + [p2, p2 + dt.timedelta(days=1)]))
        if sex == "2" or self.rng.random() < 0.1:         # a few pregnancy events on men
            for typ in self.pick([("pregnancy_registered",), ("pregnancy_outcome",),
                                  ("pregnancy_registered", "pregnancy_outcome")]):
                when = self.jitter(self.pick([p1, p2]))
                if when < birth:
                    continue
                if typ == "pregnancy_registered":
                    self.event(pid, typ, when, lmp=when - dt.timedelta(days=50))
                else:
                    self.event(pid, typ, when, outcome="live_birth")

    def case_campaign_woman(self) -> None:
        s, e = self.campaign["start"], self.campaign["end"]
        boa = self.campaign["born_on_or_after"]
        birth = self.pick([boa, boa - dt.timedelta(days=1), boa + relativedelta(years=self.rng.randint(1, 20))])
        if self.rng.random() < 0.2:
            birth = self.jitter(s - relativedelta(years=self.pick([15, 49, 50])))
        village = self.pick(LIVED_IN[:3] + LIVED_IN[3:4] * 2)
        res = self.pick([("registered_present", ""), ("registered_present", ""), ("inflow", d(self.jitter(s))),
                         ("inflow", d(s - relativedelta(years=1))), ("registered_absent", "")])
        woman = self.person(sex="2", birth=birth, village=village, residency=res)
        self.marry(woman, s - dt.timedelta(days=self.pick([0, 364, 365, 800])))
        for _ in range(self.pick([0, 1, 1, 2])):
            self.person(sex=self.pick("12"), birth=s - dt.timedelta(days=self.pick([-1, 0, 700])), mother=woman,
                        village=village)
        if self.rng.random() < 0.3:
            self.event(woman, "birth_registration", s + dt.timedelta(days=self.pick([-30, 0, 1])))
        r = self.rng.random()
        if r < 0.6:
            fac = self.pick([f for f in FACILITIES] + [None])
            when = self.pick([s, e, s - dt.timedelta(days=1), e + dt.timedelta(days=1), s + dt.timedelta(days=5)])
            self.event(woman, "health_checkup", when, facility_code=fac[0] if fac else "")
        if r > 0.4:
            self.event(woman, "home_visit", self.pick([s, e, e + dt.timedelta(days=1)]), facility_code="")

    def case_background(self) -> None:
        on = self.pick(self.bounds)[1]
        pid = self.person(sex=self.pick("12"), birth=on - relativedelta(years=self.rng.randint(0, 90),
                                                                            days=self.rng.randint(0, 364)))
        for _ in range(self.rng.randint(0, 3)):
            typ = self.pick(["home_visit", "health_checkup", "folic_acid", "child_checkup", "elderly_checkup"])
            when = self.edge()
            birth = dt.date.fromisoformat(self.persons[-1]["birth_date"])
            if when >= birth:
                self.event(pid, typ, when)

    def case_vaccine_limits(self) -> None:
        """Age limits reached on P2 (± 1 day), eligible dates on P2 − 30 (± 1), late previous doses."""
        _p1, p2 = self.pick(self.bounds)
        dose = self.pick(self.schedule)
        kind = self.pick(["limit", "eligible", "interval"])
        if kind == "limit":
            birth = self.jitter(p2 - relativedelta(months=min(dose.max_age_months, 83)))
        else:
            birth = self.jitter(p2 - dt.timedelta(days=30) - relativedelta(months=dose.age_months))
        child = self.person(sex=self.pick("12"), birth=birth)
        version = max((x.effective_from, x.version) for x in self.schedule if x.effective_from <= birth)[1]
        for x in self.schedule:
            if x.version != version or x.vaccine != dose.vaccine or x.dose >= dose.dose:
                continue
            when = birth + relativedelta(months=x.age_months)
            if kind == "interval" and x.dose == dose.dose - 1:
                when = self.jitter(p2 - dt.timedelta(days=30 + dose.min_interval_days))
            if birth <= when <= p2:
                self.event(child, "vaccination", when, vaccine=x.vaccine, dose=x.dose)
        if self.rng.random() < 0.3:   # a later dose without the one before it
            self.event(child, "vaccination", max(birth, p2 - dt.timedelta(days=5)), vaccine=dose.vaccine,
                       dose=dose.dose + 1)

    def case_month_end(self) -> None:
        """Inflow dates and birthdays around P2 − 6 months when P2 is a short month's clamp."""
        _p1, p2 = self.pick(self.bounds)
        six = p2 - relativedelta(months=6)
        inflow = self.pick([six, six + dt.timedelta(days=1), six - dt.timedelta(days=1),
                            dt.date(six.year, six.month, 1) + relativedelta(months=1) - dt.timedelta(days=1)])
        birth = self.pick([p2 - relativedelta(years=65), p2 - relativedelta(years=65) + dt.timedelta(days=1),
                           dt.date(1956, 2, 29), dt.date(1960, 2, 29)])
        pid = self.person(sex=self.pick("12"), birth=birth, residency=("inflow", d(inflow)))
        if self.rng.random() < 0.7:
            self.event(pid, "elderly_checkup", self.jitter(self.pick([dt.date(p2.year, 1, 1), p2])))

    def case_remarriage(self) -> None:
        """Several marriages: the spouse is the latest one's partner; codes 30/40 override events."""
        _p1, p2 = self.pick(self.bounds)
        woman = self.woman(p2, lo=22, hi=45)
        row = self.persons[-1]
        row["marital_status"] = self.pick(["", "", "22", "40", "30"])
        first = self.person(sex="1", birth=p2 - relativedelta(years=40), village=row["village_code"])
        second = self.person(sex="1", birth=p2 - relativedelta(years=35), village=row["village_code"])
        m1 = p2 - dt.timedelta(days=self.pick([900, 2000]))
        m2 = self.pick([p2 - dt.timedelta(days=100), m1, p2 + dt.timedelta(days=1)])
        self.event(woman, "marriage", m1, partner_local_id=first)
        self.event(second, "marriage", m2, partner_local_id=woman)
        self.event(first, "contraception", m1 + dt.timedelta(days=30), method="sterilization")
        if self.rng.random() < 0.5:
            self.event(second, "contraception", m2 - dt.timedelta(days=self.pick([0, 10])), method="sterilization")
        self.person(sex="1", birth=m1 + dt.timedelta(days=400), mother=woman, village=row["village_code"])
        if self.rng.random() < 0.3:
            self.event(woman, "home_visit", p2 - dt.timedelta(days=self.pick([365, 366])), facility_code="")

    def add_dirt(self) -> None:
        """Rejected rows and repeated keys: both sides must load the same rows."""
        victims = self.rng.sample(self.persons, min(6, len(self.persons)))
        rows = []
        for i, v in enumerate(victims):
            copy = dict(v)
            if i == 0:
                copy["birth_date"] = "2020/01/01"          # rejected: the earlier row stays
            elif i == 1:
                copy["village_code"] = self.pick(LIVED_IN)  # a repeated key updates the earlier row
            elif i == 2:
                copy["residency"] = "inflow"
                copy["inflow_date"] = ""                    # rejected: missing inflow_date
            elif i == 3:
                copy["local_id"] = v["local_id"] + "X"
                copy["mother_local_id"] = "NOBODY"          # rejected: unknown mother
            else:
                copy["local_id"] = v["local_id"] + "Y"
                copy["sex"] = "3"                           # rejected: bad sex, and so are its events
                self.event(copy["local_id"], "home_visit", self.edge())
            rows.append(copy)
        self.persons.extend(rows)
        evs = self.rng.sample(self.events, min(6, len(self.events)))
        for i, e in enumerate(evs):
            copy = dict(e)
            if i == 0:
                copy["facility_code"] = "NOSUCHFAC"
            elif i == 1:
                copy["date"] = d(dt.date.fromisoformat(e["date"]) + dt.timedelta(days=1))
            elif i == 2:
                copy["date"] = "2026-02-30"
            else:
                copy["event_id"] = e["event_id"] + "B"
                copy["person_local_id"] = self.pick(rows)["local_id"]
            self.events.append(copy)

    # -- output ----------------------------------------------------------------
    def build(self, n_cases: int = 150) -> None:
        cases = [(self.case_birth, 6), (self.case_maternal_death, 2), (self.case_infant_death, 2),
                 (self.case_child, 5), (self.case_elderly, 2), (self.case_chronic, 2),
                 (self.case_contraception, 4), (self.case_migrant, 3), (self.case_campaign_woman, 4),
                 (self.case_background, 2), (self.case_vaccine_limits, 3), (self.case_month_end, 2),
                 (self.case_remarriage, 2)]
        funcs, weights = zip(*cases, strict=True)
        for f in funcs:       # every case at least once
            f()
        for _ in range(n_cases):
            self.rng.choices(funcs, weights)[0]()
        self.add_dirt()

    def write(self, out: str | Path) -> Path:
        out = Path(out)
        bundle = out / "bundle"
        bundle.mkdir(parents=True, exist_ok=True)
        units = [{"code": COUNTY, "name": "测试县", "level": "county", "parent_code": "", "urban_rural": ""},
                 {"code": TOWN_A, "name": "甲镇", "level": "town", "parent_code": COUNTY, "urban_rural": ""},
                 {"code": TOWN_B, "name": "乙镇", "level": "town", "parent_code": COUNTY, "urban_rural": ""},
                 {"code": TOWN_C, "name": "丙街道", "level": "town", "parent_code": COUNTY, "urban_rural": ""},
                 {"code": ZONE_A, "name": "甲一管区", "level": "zone", "parent_code": TOWN_A, "urban_rural": ""}]
        units += [{"code": c, "name": f"村{c[-3:]}", "level": "village", "parent_code": p, "urban_rural": ur}
                  for c, (p, ur) in VILLAGES.items()]
        self.rng.shuffle(units)
        facilities = [{"code": c, "name": f"机构{c}", "kind": k, "orgunit_code": o, "serves": s}
                      for c, k, o, s in FACILITIES]
        event_cols = ["event_id", "person_local_id", "type", "date", "lmp", "outcome", "discharge_date", "vaccine",
                      "dose", "method", "condition", "partner_local_id", "facility_code", "performed_by"]
        for name, rows, cols in [
            ("orgunits.csv", units, ["code", "name", "level", "parent_code", "urban_rural"]),
            ("facilities.csv", facilities, ["code", "name", "kind", "orgunit_code", "serves"]),
            ("persons.csv", self.persons, list(self.persons[0])),
            ("events.csv", self.events, event_cols),
        ]:
            with open(bundle / name, "w", encoding="utf-8", newline="") as fh:
                w = csv.DictWriter(fh, cols, lineterminator="\n", restval="")
                w.writeheader()
                w.writerows(rows)
        c = self.campaign
        (out / "campaign.yaml").write_text(
            f"code: ref-{self.seed}\nname: 测试活动{self.seed}\nstart: {d(c['start'])}\nend: {d(c['end'])}\n"
            f"target:\n  rule: spring_women_checkup\n  born_on_or_after: {d(c['born_on_or_after'])}\n"
            "thresholds:\n  rural: {attendance: 0.5, visit: 0.75}\n  urban: {attendance: 0.5, visit: 1.0}\n",
            encoding="utf-8")
        plan = {"seed": self.seed, "periods": self.periods, "exchange_months": self.exchange_months,
                "campaign": {k: d(v) for k, v in c.items()}}
        (out / "plan.json").write_text(json.dumps(plan, indent=1), encoding="utf-8")
        return bundle


def generate(seed: int, out: str | Path, n_cases: int = 150) -> dict:
    g = Gen(seed)
    g.build(n_cases)
    g.write(out)
    return json.loads((Path(out) / "plan.json").read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="edge-heavy bundle for the reference indicators")
    ap.add_argument("seed", type=int)
    ap.add_argument("out")
    ap.add_argument("--cases", type=int, default=150)
    a = ap.parse_args(argv)
    print(json.dumps(generate(a.seed, a.out, a.cases)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
