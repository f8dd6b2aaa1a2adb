"""A small stored dashboard: three months of generated DTOC workbooks for four councils of two
types, and their mid-2019 adults, imported through the real services."""

from pathlib import Path

from homeward.core.access import SYSTEM
from homeward.measures.dtoc import parse_sheets
from homeward.performance.services import import_dtoc_workbook, import_population
from tests.measures.dtoc_books import area, dtoc_sheets, write_xlsx

MONTHS = ("October 2019", "November 2019", "December 2019")
# (ONS code, DH code, name, delayed days in the first month; the next three add 10% each,
# then the pattern repeats)
COUNCILS = (
    ("E08000009", "312", "Trafford", 310),
    ("E08000006", "309", "Salford", 620),
    ("E08000003", "308", "Manchester", 900),
    ("E10000016", "886", "Kent", 2400),
)
ADULTS = {"E08000009": 182, "E08000006": 201, "E08000003": 440, "E10000016": 1220}


def store(tmp_path: Path, periods=MONTHS) -> None:
    """Import `periods` (month names as the files spell them) and the mid-2019 adults."""
    for i, period in enumerate(periods):
        growth = 1 + 0.1 * (i % 4)
        areas = [area(code, dh, name, int(days * growth)) for code, dh, name, days in COUNCILS]
        sheets = dtoc_sheets(areas, period=period, published="13th February 2020")
        import_dtoc_workbook(actor=SYSTEM, workbook=parse_sheets(f"{period}.xlsx", sheets))
    rows = [["Population estimates, mid-2019"], ["Code", "Name", "Geography1", "All ages"]]
    rows[1] += [*range(90), "90+"]
    for code, _, name, _ in COUNCILS:
        # ADULTS thousand adults: 1,000 at each age from 18 to 90+ times the scale.
        ages = [0] * 18 + [ADULTS[code] * 1000 // 73] * 73
        rows.append([code, name, "Metropolitan District", sum(ages), *ages])
    import_population(
        actor=SYSTEM, path=write_xlsx(tmp_path / "mye.xlsx", {"MYE2 - Persons": rows})
    )
