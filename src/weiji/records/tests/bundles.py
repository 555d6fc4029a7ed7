"""Small bundles written by tests, and the location of the shared public example."""

from __future__ import annotations

import csv
import os
from pathlib import Path

SHARED = Path(os.environ.get("WEIJI_SHARED_DIR", Path(__file__).resolve().parents[5] / "shared"))
if not (SHARED / "spec").is_dir():
    SHARED = Path("/work/shared")
EXAMPLE = SHARED / "spec" / "examples" / "small"

ORGUNITS = """code,name,level,parent_code,urban_rural
370921,示范县,county,,
370921100,城关镇,town,370921,
370921100Z01,第一管区,zone,370921100,
370921100201,东村,village,370921100Z01,220
370921100202,西村,village,370921100,121
"""
FACILITIES = """code,name,kind,orgunit_code,serves
HC01,城关镇卫生院,health_center,370921100,370921100
VC201,东村卫生室,village_clinic,370921100201,370921100201
MCH,妇幼保健计划生育服务中心,mch_center,370921,
"""
PERSONS = """local_id,id_number,name,sex,birth_date,phone,village_code,household_id,residency,inflow_date,hukou_division,marital_status,mother_local_id,death_date
M1,11010519900101058X,王芳,2,1990-01-01,13800000001,370921100201,H1,registered_present,,370921,21,,
C1,,李子,1,2025-06-01,,370921100201,H1,registered_present,,370921,,M1,
F1,,赵明,1,1988-03-03,,370921100202,H2,inflow,2024-05-01,342221,21,,
"""
EVENTS = """event_id,person_local_id,type,date,lmp,outcome,discharge_date,vaccine,dose,method,condition,partner_local_id,facility_code,performed_by
E1,M1,pregnancy_registered,2024-10-20,2024-09-01,,,,,,,,HC01,王医生
E2,M1,pregnancy_outcome,2025-06-01,,live_birth,2025-06-03,,,,,,MCH,
E3,C1,vaccination,2025-06-01,,,,hepb,1,,,,HC01,
E4,M1,marriage,2015-05-01,,,,,,,,F1,,
"""


def write_bundle(folder: Path, **tables: str) -> Path:
    """Write the default small bundle, with any table replaced by the given text."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = {"orgunits": ORGUNITS, "facilities": FACILITIES, "persons": PERSONS,
             "events": EVENTS, **tables}
    for name, text in texts.items():
        if text is None:
            continue
        data = text.encode("utf-8") if isinstance(text, str) else text
        (folder / f"{name}.csv").write_bytes(data)
    return folder


def csv_bundle_to_xlsx(folder: Path, target: Path, date_columns: set[str]) -> Path:
    """A workbook with one sheet per CSV file; parseable dates become real date cells."""
    from datetime import date

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for path in sorted(folder.glob("*.csv")):
        sheet = workbook.create_sheet(path.stem)
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = None
            for cells in reader:
                if not cells:
                    continue
                if header is None:
                    header = [c.strip() for c in cells]
                    sheet.append(cells)
                    continue
                row = []
                for i, cell in enumerate(cells):
                    value = cell
                    if i < len(header) and header[i] in date_columns:
                        try:
                            value = date.fromisoformat(cell.strip()) if len(cell.strip()) == 10 else cell
                        except ValueError:
                            value = cell
                    row.append(value)
                sheet.append(row)
    workbook.save(target)
    return target
