"""A seeded generator of small but nasty bundles for the acceptance comparison.

Every person is a boundary case around one of the given as-of dates (window edges +-1 day,
month-end clamping, leap days, the 2025 schedule change, lost pregnancies, migrants at
exactly 6 months, quarter edges, ...), and every file holds dirty rows of each rejection
kind, references in any order, repeated keys, padded cells, a BOM and lower-case `x`.

    python -m acceptance.edgebundle OUT_DIR --seed 3 --as-of 2026-03-01 --as-of 2026-03-31
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from pathlib import Path

from dateutil.relativedelta import relativedelta

DAYS = dt.timedelta
COUNTY = "320981"
SCHEDULE = Path(__file__).with_name("immunization-schedule.csv")
PADS = [" ", "\t", "\u3000", "  ", " \u3000"]

ORG_COLUMNS = ["code", "name", "level", "parent_code", "urban_rural", "remark"]
FAC_COLUMNS = ["code", "name", "kind", "orgunit_code", "serves", "phone"]
PERSON_COLUMNS = ["local_id", "id_number", "name", "sex", "birth_date", "phone", "village_code",
                  "household_id", "residency", "inflow_date", "hukou_division", "marital_status",
                  "mother_local_id", "death_date"]
EVENT_COLUMNS = ["event_id", "person_local_id", "type", "date", "lmp", "outcome",
                 "discharge_date", "vaccine", "dose", "method", "condition", "partner_local_id",
                 "facility_code", "performed_by", "source_system"]

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


def id_number(birth: dt.date, sex: str, seq: int, lower_x: bool = False) -> str:
    order = seq % 100 * 10 + (1 if sex == "1" else 2) + (seq // 100 % 4) * 2
    body = f"{COUNTY}{birth:%Y%m%d}{order % 1000:03d}"
    check = _CHECK[sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True)) % 11]
    if lower_x and check == "X":
        check = "x"
    return body + check


def load_schedule() -> list[dict]:
    with open(SCHEDULE, encoding="utf-8", newline="") as fh:
        return [{"effective_from": dt.date.fromisoformat(r["effective_from"]),
                 "vaccine": r["vaccine"], "dose": int(r["dose"]),
                 "age_months": int(r["age_months"]),
                 "min_interval_days": int(r["min_interval_days"]),
                 "max_age_months": int(r["max_age_months"])}
                for r in csv.DictReader(fh)]


class Gen:
    def __init__(self, seed: int, as_of: list[dt.date]):
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.orgunits: list[dict] = []
        self.facilities: list[dict] = []
        self.persons: list[dict] = []
        self.events: list[dict] = []
        self.n_person = 0
        self.n_event = 0
        self.schedule = load_schedule()
        self.villages: list[str] = []
        self.facility_codes: list[str] = []

    # ------------------------------------------------------------------ helpers
    def pick(self, seq):
        return self.rng.choice(seq)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def anchor(self) -> dt.date:
        return self.pick(self.as_of)

    def jitter(self, d: dt.date, spread=(-1, 0, 1)) -> dt.date:
        return d + DAYS(self.pick(spread))

    def person(self, *, sex: str, birth: dt.date, **kw) -> dict:
        self.n_person += 1
        pid = kw.pop("local_id", f"P{self.n_person:05d}")
        seq = self.n_person
        idn = id_number(birth, sex, seq, lower_x=self.chance(0.5))
        roll = self.rng.random()
        if roll < 0.04:
            idn = idn[:-1] + ("0" if idn[-1] != "0" else "1")   # wrong check digit
        elif roll < 0.07:
            idn = ""
        elif roll < 0.08:
            idn = idn[:10] + "0231" + idn[14:]                    # not a real date
        p = {"local_id": pid, "id_number": idn, "name": f"测试{seq}", "sex": sex,
             "birth_date": birth.isoformat(), "phone": f"138{seq:08d}"[:11],
             "village_code": kw.pop("village", None) or self.pick(self.villages),
             "household_id": f"H{seq:06d}", "residency": "registered_present",
             "inflow_date": "", "hukou_division": COUNTY, "marital_status": "",
             "mother_local_id": "", "death_date": ""}
        for k, v in kw.items():
            p[k] = v.isoformat() if isinstance(v, dt.date) else v
        self.persons.append(p)
        return p

    def event(self, person: dict | str, etype: str, date: dt.date, **kw) -> dict:
        self.n_event += 1
        eid = kw.pop("event_id", f"E{self.n_event:06d}")
        pid = person if isinstance(person, str) else person["local_id"]
        e = {"event_id": eid, "person_local_id": pid, "type": etype, "date": date.isoformat()}
        for k, v in kw.items():
            e[k] = v.isoformat() if isinstance(v, dt.date) else str(v)
        if "facility_code" not in e and self.chance(0.7):
            e["facility_code"] = self.pick(self.facility_codes)
        e.setdefault("performed_by", f"YS{self.rng.randint(1000, 9999)}")
        self.events.append(e)
        return e

    def woman(self, D: dt.date, age: int | None = None, **kw) -> dict:
        age = age if age is not None else self.rng.randint(15, 49)
        birth = D - relativedelta(years=age) - DAYS(self.rng.randint(0, 364))
        return self.person(sex="2", birth=birth, **kw)

    def man(self, D: dt.date, **kw) -> dict:
        birth = D - relativedelta(years=self.rng.randint(20, 55)) - DAYS(self.rng.randint(0, 364))
        return self.person(sex="1", birth=birth, **kw)

    # ------------------------------------------------------------------ geography
    def geography(self) -> None:
        ou = self.orgunits.append
        ou({"code": COUNTY, "name": "测试县", "level": "county", "parent_code": ""})
        towns = [f"{COUNTY}001", f"{COUNTY}100", f"{COUNTY}200"]
        for i, t in enumerate(towns):
            ou({"code": t, "name": f"镇{i}", "level": "town", "parent_code": COUNTY})
        zones = [f"{COUNTY}001Z01", f"{COUNTY}001Z02", f"{COUNTY}100Z01"]
        for i, z in enumerate(zones):
            ou({"code": z, "name": f"管区{i}", "level": "zone", "parent_code": z[:9]})
        layout = [  # village, parent
            (f"{COUNTY}001001", f"{COUNTY}001Z01"), (f"{COUNTY}001002", f"{COUNTY}001Z01"),
            (f"{COUNTY}001003", f"{COUNTY}001Z02"), (f"{COUNTY}001004", f"{COUNTY}001"),
            (f"{COUNTY}100001", f"{COUNTY}100Z01"), (f"{COUNTY}100002", f"{COUNTY}100"),
            (f"{COUNTY}100003", f"{COUNTY}100"), (f"{COUNTY}200001", f"{COUNTY}200"),
            (f"{COUNTY}200002", f"{COUNTY}200"),
        ]
        for v, parent in layout:
            ou({"code": v, "name": f"村{v[-3:]}", "level": "village", "parent_code": parent,
                "urban_rural": self.pick(["111", "112", "121", "122", "123", "210", "220"])})
            self.villages.append(v)
        # dirty orgunits
        ou({"code": f"{COUNTY}001901", "name": "", "level": "village",
            "parent_code": f"{COUNTY}001", "urban_rural": "210"})                      # missing name
        ou({"code": f"{COUNTY}001902", "name": "坏级别", "level": "hamlet",
            "parent_code": f"{COUNTY}001Z01", "urban_rural": "210"})                   # bad enum
        ou({"code": f"{COUNTY}001903", "name": "无城乡", "level": "village",
            "parent_code": f"{COUNTY}001"})                                             # missing
        ou({"code": f"{COUNTY}001904", "name": "坏城乡", "level": "village",
            "parent_code": f"{COUNTY}001", "urban_rural": "999"})                      # bad enum
        ou({"code": f"{COUNTY}001905", "name": "无上级", "level": "village",
            "parent_code": f"{COUNTY}999", "urban_rural": "220"})                      # unknown ref
        ou({"code": f"{COUNTY}300", "name": "无上级镇", "level": "town",
            "parent_code": ""})                                                         # missing
        ou({"code": f"{COUNTY}100Z09", "name": "坏管区", "level": "zone",
            "parent_code": f"{COUNTY}001902"})                                          # -> rejected
        ou({"code": f"{COUNTY}100906", "name": "坏管区下村", "level": "village",
            "parent_code": f"{COUNTY}100Z09", "urban_rural": "210"})                   # chain
        ou({"code": f"{COUNTY}100907", "name": "村下村", "level": "village",
            "parent_code": f"{COUNTY}100001", "urban_rural": "210"})                   # wrong kind
        ou({"code": f"{COUNTY}200908", "name": "县下村", "level": "village",
            "parent_code": COUNTY, "urban_rural": "210"})                               # wrong kind
        ou({"code": f"{COUNTY}001Z09", "name": "管区下管区", "level": "zone",
            "parent_code": f"{COUNTY}001Z01"})                                          # wrong kind
        ou({"code": f"{COUNTY}400", "name": "镇下镇", "level": "town",
            "parent_code": f"{COUNTY}001"})                                             # wrong kind
        # a repeated key: the later row updates the earlier
        ou({"code": f"{COUNTY}200002", "name": "村002改名", "level": "village",
            "parent_code": f"{COUNTY}200", "urban_rural": "220", "remark": "重复"})
        self.bad_villages = [f"{COUNTY}001901", f"{COUNTY}001902", f"{COUNTY}100906",
                             f"{COUNTY}100907", f"{COUNTY}100Z01", f"{COUNTY}001", "999999999999"]

        fa = self.facilities.append
        fa({"code": f"{COUNTY}HC10", "name": "镇100卫生院", "kind": "health_center",
            "orgunit_code": f"{COUNTY}100", "serves": f"{COUNTY}100"})
        fa({"code": f"{COUNTY}CC01", "name": "社区一", "kind": "community_center",
            "orgunit_code": f"{COUNTY}001", "serves": f"{COUNTY}001Z01;{COUNTY}001004"})
        fa({"code": f"{COUNTY}CC00", "name": "社区零", "kind": "community_center",
            "orgunit_code": f"{COUNTY}001", "serves": f" {COUNTY}001004 ; {COUNTY}001002"})
        fa({"code": f"{COUNTY}CC02", "name": "社区二", "kind": "community_center",
            "orgunit_code": f"{COUNTY}001", "serves": f"{COUNTY}001"})
        fa({"code": f"{COUNTY}CC03", "name": "社区三", "kind": "community_center",
            "orgunit_code": f"{COUNTY}100002", "serves": f"{COUNTY}100002"})
        fa({"code": "VC200001", "name": "村卫生室", "kind": "village_clinic",
            "orgunit_code": f"{COUNTY}200001", "serves": f"{COUNTY}200001;{COUNTY}100003"})
        fa({"code": "000VC", "name": "低代码村卫生室", "kind": "village_clinic",
            "orgunit_code": f"{COUNTY}001003", "serves": f"{COUNTY}001003"})        # never counts
        fa({"code": "000HOS", "name": "低代码医院", "kind": "hospital",
            "orgunit_code": COUNTY, "serves": f"{COUNTY}001003;{COUNTY}100001"})    # never counts
        fa({"code": f"{COUNTY}RMYY", "name": "人民医院", "kind": "hospital",
            "orgunit_code": COUNTY, "serves": f"{COUNTY}200"})
        fa({"code": f"{COUNTY}MCH", "name": "妇幼", "kind": "mch_center",
            "orgunit_code": COUNTY, "serves": f"{COUNTY}200002"})
        # dirty facilities
        fa({"code": f"{COUNTY}HC90", "name": "无处", "kind": "health_center",
            "orgunit_code": f"{COUNTY}888", "serves": ""})                             # unknown ref
        fa({"code": f"{COUNTY}PH00", "name": "药房", "kind": "pharmacy",
            "orgunit_code": COUNTY, "serves": ""})                                      # bad enum
        fa({"code": f"{COUNTY}CC90", "name": "", "kind": "community_center",
            "orgunit_code": COUNTY, "serves": ""})                                      # missing
        fa({"code": f"{COUNTY}CC91", "name": "服务坏村", "kind": "community_center",
            "orgunit_code": COUNTY, "serves": f"{COUNTY}200002;{COUNTY}001902"})       # rejected unit
        fa({"code": f"{COUNTY}CC92", "name": "服务未知", "kind": "health_center",
            "orgunit_code": COUNTY, "serves": f"{COUNTY}777"})                         # unknown
        fa({"code": f"{COUNTY}CC93", "name": "位于坏村", "kind": "health_center",
            "orgunit_code": f"{COUNTY}100907", "serves": f"{COUNTY}200002"})           # chain
        fa({"code": f"{COUNTY}CC94", "name": "服务县", "kind": "community_center",
            "orgunit_code": COUNTY, "serves": COUNTY})                                 # wrong kind
        self.facility_codes = [f"{COUNTY}HC10", f"{COUNTY}CC01", f"{COUNTY}CC03", "VC200001",
                               f"{COUNTY}RMYY", f"{COUNTY}MCH"]
        self.bad_facilities = [f"{COUNTY}HC90", f"{COUNTY}PH00", f"{COUNTY}CC91", "XX0000"]

    # ------------------------------------------------------------------ scenarios
    def edge_birth_for_child(self, D: dt.date) -> dt.date:
        kind = self.rng.random()
        if kind < 0.3:
            return D - DAYS(self.pick([0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 15, 20, 21, 27, 28, 29,
                                       30, 35, 41, 42, 43]))
        if kind < 0.7:
            months = self.pick([2, 3, 4, 5, 6, 7, 8, 9, 12, 18, 24, 30, 36, 48, 60, 72, 83, 84, 85])
            return D - relativedelta(months=months) + DAYS(self.pick([-31, -30, -16, -15, -1, 0,
                                                                       1, 14, 15, 16, 30, 31]))
        if kind < 0.85:   # births on the 29th-31st and leap days
            y = D.year - self.rng.randint(0, 6)
            m = self.rng.randint(1, 12)
            day = min(self.pick([29, 30, 31]), (dt.date(y, m, 1) + relativedelta(day=31)).day)
            b = dt.date(y, m, day)
            if self.chance(0.3):
                b = self.pick([dt.date(2020, 2, 29), dt.date(2024, 2, 29), dt.date(2028, 2, 29)])
            return b if b <= D + DAYS(2) else D - DAYS(31)
        # either side of the 2025 schedule change
        return dt.date(2025, 1, 1) + DAYS(self.pick([-2, -1, 0, 1]))

    def child(self, D: dt.date) -> None:
        b = self.edge_birth_for_child(D)
        twins = self.chance(0.12)
        mother = self.woman(b, age=self.rng.randint(20, 38),
                            village=None if self.chance(0.8) else self.pick(self.villages),
                            marital_status=self.pick(["", "20", "21"]),
                            residency=self.pick(["registered_present"] * 5 + ["registered_absent",
                                                                              "inflow"]))
        if mother["residency"] == "inflow":
            mother["inflow_date"] = (b - DAYS(self.rng.randint(0, 900))).isoformat()
        if self.chance(0.05):
            mother["death_date"] = (b + DAYS(self.rng.randint(0, 60))).isoformat()
        lmp = b - DAYS(self.rng.randint(250, 290))
        self.event(mother, "pregnancy_registered", lmp + DAYS(50), lmp=lmp)
        kids = [self.person(sex=self.pick("12"), birth=b, mother_local_id=mother["local_id"],
                            village=mother["village_code"] if self.chance(0.85) else None)
                for _ in range(2 if twins else 1)]
        if self.chance(0.85):
            n_out = 2 if twins else 1
            base = self.rng.randint(1, 9)
            for i in range(n_out):
                discharge = self.pick(["", b + DAYS(self.pick([-1, 0, 1, 2, 3, 5, 7, 40]))])
                eid = f"EB{base + i * 3}" if twins else None   # "EB10" < "EB7" as strings
                kw = {"event_id": eid} if eid else {}
                self.event(mother, "pregnancy_outcome", b if self.chance(0.95) else b - DAYS(1),
                           outcome=self.pick(["live_birth"] * 6 + ["stillbirth"]),
                           discharge_date=discharge, **kw)
        for k in kids:
            self.child_events(k, b, D)

    def child_events(self, kid: dict, b: dt.date, D: dt.date) -> None:
        if self.chance(0.4):
            self.event(kid, "newborn_visit", b + DAYS(self.pick([0, 3, 7, 10, 28, 29])))
        offsets = [-16, -15, -14, -1, 0, 1, 29, 30, 31, 60, 61, 90]
        for months in (None, 3, 6, 8, 12, 18, 24, 30, 36, 48, 60, 72):
            t = b + DAYS(28) if months is None else b + relativedelta(months=months)
            if self.chance(0.35):
                self.event(kid, "child_checkup", t + DAYS(self.pick(offsets)))
        version = max(s["effective_from"] for s in self.schedule if s["effective_from"] <= b)
        doses = [s for s in self.schedule if s["effective_from"] == version]
        recorded: dict[tuple[str, int], dt.date] = {}
        for s in doses:
            if not self.chance(0.6):
                continue
            e = b + relativedelta(months=s["age_months"])
            prev = recorded.get((s["vaccine"], s["dose"] - 1))
            if prev:
                e = max(e, prev + DAYS(s["min_interval_days"]))
            when = e + DAYS(self.pick([-3, -1, 0, 1, 5, 29, 30, 31, 45]))
            if when < b:
                when = b
            recorded[(s["vaccine"], s["dose"])] = when
            self.event(kid, "vaccination", when, vaccine=s["vaccine"], dose=s["dose"])
            if self.chance(0.1):  # the same dose recorded twice
                self.event(kid, "vaccination", when + DAYS(self.pick([-2, 0, 3])),
                           vaccine=s["vaccine"], dose=s["dose"])
        if self.chance(0.1):  # a dose for a vaccine the child's schedule lacks
            self.event(kid, "vaccination", b + relativedelta(months=72), vaccine="dt", dose=1)
        if self.chance(0.05):  # a dose beyond the schedule
            self.event(kid, "vaccination", b + relativedelta(months=7), vaccine="hepb", dose=4)
        if self.chance(0.1):  # dose 2 without dose 1
            self.event(kid, "vaccination", D - DAYS(self.pick([0, 10, 40])), vaccine="hepal", dose=2)

    def pregnant(self, D: dt.date) -> None:
        E = D + relativedelta(day=31)
        ga = self.pick([0, 1, 60, 89, 90, 91, 92, 111, 112, 113, 146, 147, 148, 174, 175,
                        195, 196, 197, 258, 259, 260, 286, 287, 300, 309, 310, 311, 312, 400,
                        675, 676, 677, 700])
        if self.chance(0.3):
            ga = (D - (E - DAYS(self.pick([112, 147, 196, 259])))).days + self.pick([-1, 0, 1])
        lmp = D - DAYS(ga)
        on_man = self.chance(0.04)
        w = (self.man(D) if on_man else
             self.woman(D, age=self.pick([15, 16, 30, 49, 50, 14]) if self.chance(0.2) else None,
                        marital_status=self.pick(["", "20", "10", "22"])))
        r = self.rng.random()
        if r < 0.05:
            w["residency"] = "registered_absent"
        elif r < 0.12:
            w["residency"] = "inflow"
            w["inflow_date"] = (D + DAYS(self.pick([-400, -1, 0, 1]))).isoformat()
        elif r < 0.15:
            w["death_date"] = (D + DAYS(self.pick([-1, 0, 1]))).isoformat()
        reg_date = lmp + DAYS(self.pick([-5, 0, 10, 40, 100]))
        if reg_date > D and self.chance(0.5):
            reg_date = D
        self.event(w, "pregnancy_registered", reg_date, lmp=lmp)
        if self.chance(0.2):   # registered twice with the same lmp
            self.event(w, "pregnancy_registered", reg_date + DAYS(self.pick([0, 5, 30])), lmp=lmp)
        if self.chance(0.2):   # an older pregnancy
            old = lmp - DAYS(self.pick([300, 400, 700]))
            self.event(w, "pregnancy_registered", old + DAYS(30), lmp=old)
            if self.chance(0.5):
                self.event(w, "pregnancy_outcome", old + DAYS(self.pick([200, 308, 309])),
                           outcome=self.pick(["live_birth", "miscarriage", "induced_abortion"]))
        if self.chance(0.15):  # lmp after D (a known event's other dates are used as given)
            self.event(w, "pregnancy_registered", D - DAYS(2), lmp=D + DAYS(3))
        r = self.rng.random()
        if r < 0.3:
            od = lmp + DAYS(self.pick([0, 1, 100, 280, 307, 308, 309, 320]))
            self.event(w, "pregnancy_outcome", min(od, D + DAYS(self.pick([-1, 0, 1]))) if
                       self.chance(0.5) else od,
                       outcome=self.pick(["live_birth", "stillbirth", "miscarriage",
                                          "induced_abortion"]),
                       discharge_date=self.pick(["", od + DAYS(2), D + DAYS(5)]))
        if self.chance(0.5):
            self.event(w, "maternal_handbook", lmp + DAYS(self.pick([-1, 0, 1, 90, 91])))
        for lo, hi in ((112, 146), (147, 174), (196, 258), (259, 286)):
            if self.chance(0.35):
                self.event(w, "antenatal_visit", lmp + DAYS(self.pick([lo - 1, lo, hi, hi + 1])))
        if self.chance(0.5):
            self.event(w, "folic_acid", E - DAYS(self.pick([88, 89, 90])))
        if self.chance(0.3):
            self.event(w, "marriage", lmp - DAYS(self.pick([0, 1, 200, 400])))

    def newly_married(self, D: dt.date) -> None:
        m = D - DAYS(self.pick([0, 1, 2, 179, 180, 181, 364, 365, 366]))
        if self.chance(0.15):
            m = D + DAYS(1)
        w = self.woman(D, age=self.pick([14, 15, 25, 49, 50]) if self.chance(0.3) else None,
                       marital_status=self.pick(["", "", "20", "21", "10", "30", "40", "90"]))
        h = self.man(D, village=w["village_code"] if self.chance(0.7) else None,
                     residency=self.pick(["registered_present", "registered_absent"]),
                     marital_status=self.pick(["", "20"]))
        if self.chance(0.15):
            h.update(residency="inflow", inflow_date=(D + DAYS(self.pick([1, 10]))).isoformat())
        where = self.rng.random()
        if where < 0.4:
            self.event(w, "marriage", m, partner_local_id=h["local_id"])
        elif where < 0.8:
            self.event(h, "marriage", m, partner_local_id=w["local_id"])   # on the husband only
        elif where < 0.9:
            self.event(w, "marriage", m)                                  # spouse unknown
        else:
            self.event(w, "marriage", m - DAYS(800), partner_local_id=h["local_id"])
            self.event(h, "marriage", m, partner_local_id=w["local_id"])
        if self.chance(0.4):
            self.event(self.pick([w, h]), "preconception_checkup", m + DAYS(self.pick([-1, 0, 5])))
        if self.chance(0.25):
            lmp = m + DAYS(self.pick([-1, 0, 10]))
            if lmp <= D:
                self.event(w, "pregnancy_registered", min(D, lmp + DAYS(20)), lmp=lmp)
        if self.chance(0.3):
            self.event(w, "folic_acid", D + relativedelta(day=31) - DAYS(self.pick([89, 90])))

    def contraception(self, D: dt.date) -> None:
        w = self.woman(D, marital_status=self.pick(["20", "21", "", "40"]))
        h = self.man(D, marital_status="20")
        if self.chance(0.2):   # a spouse who moves in after D (or is registered elsewhere)
            h["residency"] = self.pick(["inflow", "registered_absent"])
            h["inflow_date"] = (D + DAYS(self.pick([0, 1, 30]))).isoformat()
        if w["marital_status"] == "" or self.chance(0.6):
            self.event(self.pick([w, h]), "marriage", D - DAYS(self.rng.randint(400, 4000)),
                       partner_local_id=(h if self.chance(0.5) else w)["local_id"])
        if self.chance(0.85):
            kb = D - DAYS(self.pick([0, 30, 41, 42, 43, 400, 3000]))
            if self.chance(0.1):
                kb = D + DAYS(1)
            self.person(sex=self.pick("12"), birth=kb, mother_local_id=w["local_id"],
                        village=self.pick(self.villages),
                        residency=self.pick(["registered_present", "registered_absent"]),
                        death_date=self.pick(["", "", "", kb + DAYS(10)]))
        if self.chance(0.3):
            self.event(w, "pregnancy_outcome", D - DAYS(self.pick([0, 41, 42, 43])),
                       outcome=self.pick(["live_birth", "miscarriage", "induced_abortion"]))
        r = self.rng.random()
        if r < 0.25:
            ins = D - DAYS(self.rng.randint(0, 800))
            method = self.pick(["iud", "implant", "sterilization"])
            self.event(w, "contraception", ins, method=method)
            if self.chance(0.6):
                self.event(w, "contraception", ins + DAYS(self.pick([0, 1, 30])) if
                           self.chance(0.7) else D + DAYS(1), method="removed")
        elif r < 0.5:
            self.event(w, "contraception", D - DAYS(self.pick([0, 89, 90, 91, 92])),
                       method=self.pick(["pill", "injection", "condom"]))
        elif r < 0.75:
            st = D - DAYS(self.rng.randint(0, 2000))
            self.event(h, "contraception", st, method="sterilization")
            if self.chance(0.5):
                self.event(h, "contraception", st + DAYS(self.pick([0, 1, 100])), method="removed")
            if self.chance(0.2):
                self.event(w, "contraception", st + DAYS(5), method="removed")
        if self.chance(0.1):
            self.event(w, "contraception", D + DAYS(1), method="iud")
        if self.chance(0.1):   # inserted, removed, inserted again
            t1 = D - DAYS(self.rng.randint(100, 900))
            self.event(w, "contraception", t1, method="iud")
            self.event(w, "contraception", t1 + DAYS(30), method="removed")
            self.event(w, "contraception", t1 + DAYS(self.pick([30, 31, 60])),
                       method=self.pick(["implant", "iud"]))
        if self.chance(0.15):  # two marriages on one day: the greater event_id is the later
            other = self.man(D, marital_status="20")
            day = D - DAYS(self.rng.randint(30, 300))
            ids = self.pick([("EM9", "EM10"), ("EM10", "EM9")])
            n = self.n_event
            self.event(w, "marriage", day, partner_local_id=h["local_id"],
                       event_id=f"{ids[0]}-{n}")
            self.event(w, "marriage", day, partner_local_id=other["local_id"],
                       event_id=f"{ids[1]}-{n}")
            self.event(self.pick([h, other]), "contraception", day - DAYS(10),
                       method="sterilization")

    def elderly(self, D: dt.date) -> None:
        birth = D - relativedelta(years=65) + DAYS(self.pick([-1, 0, 1, -400]))
        if self.chance(0.1):
            birth = self.pick([dt.date(1960, 2, 29), dt.date(1956, 2, 29)])
        kw = {}
        if self.chance(0.4):
            kw = {"residency": "inflow",
                  "inflow_date": D - relativedelta(months=6) + DAYS(self.pick([-1, 0, 1, 2, 3]))}
            if self.chance(0.2):
                kw["inflow_date"] = D + DAYS(1)
        p = self.person(sex=self.pick("12"), birth=birth, **kw)
        if self.chance(0.4):
            y = D.year + self.pick([-1, 0, 0])
            self.event(p, "elderly_checkup", self.pick([dt.date(y, 1, 1), dt.date(y, 12, 31), D,
                                                        D + DAYS(1)]))

    def chronic(self, D: dt.date) -> None:
        p = self.person(sex=self.pick("12"), birth=D - DAYS(self.rng.randint(30 * 365, 80 * 365)))
        qs = dt.date(D.year, 3 * ((D.month - 1) // 3) + 1, 1)
        qe = qs + relativedelta(months=3) - DAYS(1)
        for cond in ("hypertension", "diabetes"):
            if self.chance(0.6):
                self.event(p, "chronic_diagnosis", self.pick([qs, D, D + DAYS(1), D - DAYS(400)]),
                           condition=cond)
                if self.chance(0.5):
                    self.event(p, "chronic_followup", self.pick([qs - DAYS(1), qs, D, qe]),
                               condition=self.pick([cond, cond, "diabetes"]))

    def misc(self, D: dt.date) -> None:
        r = self.rng.random()
        if r < 0.2:   # born on D / after D
            self.person(sex=self.pick("12"), birth=D + DAYS(self.pick([0, 1])))
        elif r < 0.4:  # death around D
            p = self.person(sex="2", birth=D - relativedelta(years=70),
                            death_date=D + DAYS(self.pick([-1, 0, 1])))
            self.event(p, "chronic_diagnosis", D - DAYS(100), condition="diabetes")
        elif r < 0.6:  # inflow arriving around D
            p = self.person(sex="2", birth=D - relativedelta(months=self.pick([2, 4, 12])),
                            residency="inflow", inflow_date=D + DAYS(self.pick([-1, 0, 1])))
            self.event(p, "vaccination", D + DAYS(3), vaccine="hepb", dose=1)
        elif r < 0.8:  # registered_absent
            self.person(sex="2", birth=D - relativedelta(years=66), residency="registered_absent")
        else:         # events after D only
            p = self.person(sex="1", birth=D - relativedelta(years=40))
            self.event(p, "chronic_diagnosis", D + DAYS(1), condition="hypertension")

    # ------------------------------------------------------------------ dirty rows
    def dirty(self, D: dt.date) -> None:
        good = self.pick(self.villages)
        b = D - relativedelta(years=30)
        P = self.person
        P(sex="2", birth=b, name="")                                       # missing
        P(sex="3", birth=b)                                                # bad enum
        P(sex="2", birth=b, birth_date="")                                 # missing
        P(sex="2", birth=b, birth_date="1985/03/02")                       # bad date
        P(sex="2", birth=b, birth_date="20260506")                         # bad date
        P(sex="2", birth=b, birth_date="2023-02-29")                       # bad date
        P(sex="2", birth=b, residency="migrant")                           # bad enum
        P(sex="2", birth=b, residency="inflow")                            # missing inflow_date
        P(sex="2", birth=b, residency="inflow", inflow_date="2025-13-01")  # bad date
        P(sex="2", birth=b, marital_status="25")                           # bad enum
        P(sex="2", birth=b, death_date="2025-04-31")                       # bad date
        P(sex="2", birth=b, village=self.pick(self.bad_villages))          # unknown ref
        P(sex="2", birth=b, mother_local_id="P_NOBODY")                    # unknown ref
        P(sex="2", birth=b, marital_status="2")                            # bad enum
        P(sex="2", birth=b, inflow_date="2025-1-5")                        # bad date (not inflow)
        P(sex="2", birth=b, residency="inflow", inflow_date=" 2025-01-05 ")  # padded: ok
        bad_mother = P(sex="2", birth=b, village=f"{COUNTY}001901")
        kid = P(sex="1", birth=D - DAYS(40), mother_local_id=bad_mother["local_id"])  # chain
        self.event(kid["local_id"], "newborn_visit", D - DAYS(30))                  # chain 2
        P(sex="2", birth=b, local_id="")                                   # missing key
        # references in any order: a child before its mother (mother is appended later)
        late_mother_id = f"PL{self.n_person:05d}"
        P(sex="1", birth=D - DAYS(60), mother_local_id=late_mother_id, village=good)
        # repeated key: later row updates the earlier (village and marital status change)
        first = P(sex="2", birth=b, marital_status="10")
        again = dict(first)
        again.update(marital_status="20", village_code=self.pick(self.villages))
        self.persons.append(again)
        # repeated key whose later row is rejected
        keep = P(sex="1", birth=D - relativedelta(years=66))
        bad_again = dict(keep)
        bad_again.update(sex="9")
        self.persons.append(bad_again)

        w = self.woman(D)
        E_ = self.event
        E_(w, "home_visit", D, event_id="")                                # missing event_id
        E_("", "home_visit", D)                                            # missing person
        E_("P_NOBODY", "home_visit", D)                                    # unknown ref
        E_(w, "", D)                                                       # missing type
        E_(w, "house_call", D)                                             # bad enum
        self.events.append({"event_id": f"EX{self.n_event}", "person_local_id": w["local_id"],
                            "type": "home_visit", "date": ""})            # missing date
        E_(w, "home_visit", D)["date"] = "2026/01/05"                      # bad date
        E_(w, "pregnancy_registered", D - DAYS(30))                        # missing lmp
        E_(w, "pregnancy_registered", D - DAYS(30), lmp="2026-02-30")      # bad date
        E_(w, "pregnancy_outcome", D - DAYS(3))                            # missing outcome
        E_(w, "pregnancy_outcome", D - DAYS(3), outcome="twins")           # bad enum
        E_(w, "pregnancy_outcome", D - DAYS(3), outcome="live_birth",
           discharge_date="03/04/2026")                                    # bad date
        E_(kid, "vaccination", D, vaccine="hepb")                          # missing dose
        E_(kid, "vaccination", D, dose="1")                                # missing vaccine
        E_(kid, "vaccination", D, vaccine="hepb", dose="0")                # bad dose
        E_(kid, "vaccination", D, vaccine="hepb", dose="two")              # bad dose
        E_(kid, "vaccination", D, vaccine="hepb", dose="1.5")              # bad dose
        E_(kid, "vaccination", D, vaccine="covid", dose="1")               # not in schedule
        E_(w, "contraception", D)                                          # missing method
        E_(w, "contraception", D, method="ring")                           # bad enum
        E_(w, "chronic_followup", D)                                       # missing condition
        E_(w, "chronic_diagnosis", D, condition="asthma")                  # bad enum
        E_(w, "marriage", D - DAYS(10), partner_local_id="P_NOBODY")       # unknown partner
        E_(w, "marriage", D - DAYS(10), partner_local_id=keep["local_id"])  # ok (earlier row)
        E_(w, "home_visit", D, facility_code=self.pick(self.bad_facilities))  # unknown facility
        E_(w, "home_visit", w_birth(w) - DAYS(1))                          # before birth
        E_(w, "home_visit", w_birth(w))                                    # on the birth day: ok
        E_(w, "pregnancy_registered", D - DAYS(20), lmp=D - DAYS(50), partner_local_id="")
        E_(w, "home_visit", D - DAYS(2), lmp="2026-02-30")                 # date not of its type
        E_(w, "home_visit", D - DAYS(2), outcome="twins")                  # enum not of its type
        E_(w, "home_visit", D - DAYS(2))["date"] = "2025-1-5"              # bad date
        baby = P(sex="1", birth=D - DAYS(100))
        E_(baby, "vaccination", D, vaccine="HepB", dose="1")               # unknown vaccine
        E_(baby, "vaccination", D, vaccine="hepb", dose="+1")              # bad dose
        E_(baby, "vaccination", D, vaccine="hepb", dose="-1")              # bad dose
        E_(baby, "vaccination", D, vaccine="hepb", dose="02")              # dose 2 (leading zero)
        # several defects in one row: the first column in the spec's order is reported
        E_(baby, "vaccination", D, vaccine="nope", dose="0")
        E_(baby, "chronic_followup", D, lmp="2025-02-29")
        E_("P_NOBODY", "pregnancy_outcome", D, outcome="twins")["date"] = "2025/01/01"
        E_("P_NOBODY", "vaccination", D, vaccine="nope", dose="1")
        P(sex="9", birth=b, birth_date="1990/01/01", village="999")
        P(sex="2", birth=b, residency="inflow", marital_status="77")
        # the later row of a repeated person moves the birth date after an event
        mover = P(sex="1", birth=D - relativedelta(years=3))
        E_(mover, "child_checkup", D - relativedelta(years=2))
        moved = dict(mover)
        moved["birth_date"] = (D - relativedelta(years=1)).isoformat()
        self.persons.append(moved)
        E_(late_mother_id, "pregnancy_outcome", D - DAYS(60), outcome="live_birth")  # ref ahead
        # repeated event key: the later row wins
        e = E_(w, "folic_acid", D - DAYS(200))
        again = dict(e)
        again["date"] = (D + relativedelta(day=31) - DAYS(80)).isoformat()
        self.events.append(again)
        self.person(sex="2", birth=D - relativedelta(years=28), local_id=late_mother_id,
                    marital_status="20")

    # ------------------------------------------------------------------ assembly
    def build(self, n_persons: int) -> None:
        self.geography()
        scenarios = [(self.child, 30), (self.pregnant, 22), (self.newly_married, 14),
                     (self.contraception, 14), (self.elderly, 8), (self.chronic, 6),
                     (self.misc, 6)]
        funcs = [f for f, w in scenarios for _ in range(w)]
        for D in self.as_of:
            self.dirty(D)
        while self.n_person < n_persons:
            self.pick(funcs)(self.anchor())

    def write(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self._write(out / "orgunits.csv", ORG_COLUMNS + ["extra_col"], self.orgunits, bom=False)
        self._write(out / "facilities.csv", FAC_COLUMNS, self.facilities, bom=False)
        self._write(out / "persons.csv", PERSON_COLUMNS, self.persons, bom=True)
        self._write(out / "events.csv", EVENT_COLUMNS, self.events, bom=self.chance(0.5))

    def _write(self, path: Path, columns: list[str], rows: list[dict], bom: bool) -> None:
        rng = self.rng
        cols = list(columns)
        rng.shuffle(cols)
        flat = self._shuffled(path.name, rows)
        lines = []
        header = [c if not rng.random() < 0.15 else f" {c} " for c in cols]
        lines.append(_csv_line(header))
        for r in flat:
            cells = []
            for c in cols:
                v = r.get(c, "")
                if v and rng.random() < 0.04:
                    v = rng.choice(PADS) + v + rng.choice(PADS)
                if c == "name" and v and rng.random() < 0.02:
                    v = v + "\n(多行)"
                if c == "extra_col":
                    v = "x"
                cells.append(v)
            while cells and cells[-1] == "" and rng.random() < 0.5:
                cells.pop()                     # fewer cells than the header
            if len(cells) == len(cols) and rng.random() < 0.03:
                cells.append("extra")           # cells beyond the header
            lines.append(_csv_line(cells))
            if rng.random() < 0.01:
                lines.append(rng.choice(["", ",,,", "  "]))   # not a row
        text = "\n".join(lines) + "\n"
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


    def write_xlsx(self, path: Path) -> None:
        """The same tables as one workbook: real date cells and number cells where a
        spreadsheet export would have them, sheet rows in shuffled order."""
        from openpyxl import Workbook

        rng = self.rng
        wb = Workbook()
        wb.remove(wb.active)
        tables = [("orgunits", ORG_COLUMNS, self.orgunits), ("facilities", FAC_COLUMNS,
                                                              self.facilities),
                  ("persons", PERSON_COLUMNS, self.persons), ("events", EVENT_COLUMNS, self.events)]
        dates = {"birth_date", "inflow_date", "death_date", "date", "lmp", "discharge_date"}
        numbers = {"sex", "dose", "marital_status", "urban_rural", "phone", "hukou_division",
                   "code", "parent_code", "village_code", "orgunit_code"}
        for name, columns, rows in tables:
            ws = wb.create_sheet(name)
            cols = list(columns)
            rng.shuffle(cols)
            ws.append([c if rng.random() >= 0.15 else f" {c} " for c in cols])
            for r in self._shuffled(name + ".csv", rows):
                out = []
                for c in cols:
                    v = r.get(c, "")
                    if v and c in dates and rng.random() < 0.7:
                        try:
                            v = dt.date.fromisoformat(v)
                        except ValueError:
                            pass
                    elif v and c in numbers and v.isdigit() and not v.startswith("0") \
                            and rng.random() < 0.5:
                        v = int(v)
                    elif v and isinstance(v, str) and rng.random() < 0.04:
                        v = rng.choice(PADS) + v + rng.choice(PADS)
                    out.append(v if v != "" else None)
                ws.append(out)
                if rng.random() < 0.01:
                    ws.append([])         # an empty sheet row is not a row
        wb.save(path)

    def _shuffled(self, fname: str, rows: list[dict]) -> list[dict]:
        """rows in random order, repeated keys kept in their relative order."""
        keyname = {"orgunits.csv": "code", "facilities.csv": "code", "persons.csv": "local_id",
                   "events.csv": "event_id"}[fname]
        groups: dict[str, list[dict]] = {}
        for i, r in enumerate(rows):
            groups.setdefault(r.get(keyname, "") or f"__{i}", []).append(r)
        pending = [list(g) for g in groups.values()]
        flat = []
        while pending:
            g = self.rng.choice(pending)
            flat.append(g.pop(0))
            if not g:
                pending.remove(g)
        return flat


def _csv_line(cells: list[str]) -> str:
    out = []
    for c in cells:
        if any(ch in c for ch in ',"\n\r') or c != c.strip(" "):
            out.append('"' + c.replace('"', '""') + '"')
        else:
            out.append(c)
    return ",".join(out)


def w_birth(p: dict) -> dt.date:
    return dt.date.fromisoformat(p["birth_date"])


def generate(out_dir: str | Path, *, seed: int, as_of: list[dt.date], persons: int = 300,
             xlsx: bool = False) -> Path:
    """Write a bundle for these as-of dates and return its path: a folder of CSV files,
    or with xlsx=True the workbook OUT_DIR/bundle.xlsx."""
    g = Gen(seed, sorted(as_of))
    g.build(persons)
    out = Path(out_dir)
    if xlsx:
        out.mkdir(parents=True, exist_ok=True)
        g.write_xlsx(out / "bundle.xlsx")
        return out / "bundle.xlsx"
    g.write(out)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--as-of", action="append", required=True)
    ap.add_argument("--persons", type=int, default=300)
    ap.add_argument("--xlsx", action="store_true", help="one workbook instead of CSV files")
    a = ap.parse_args(argv)
    generate(a.out, seed=a.seed, as_of=[dt.date.fromisoformat(d) for d in a.as_of],
             persons=a.persons, xlsx=a.xlsx)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
