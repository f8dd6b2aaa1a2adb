"""The performance dashboard's demo figures: NHS England's published DTOC workbooks and the
ONS mid-year estimates from the folder of real public data, when it is there, imported
through the same services as `homeward import dtoc` and `homeward import population`."""

from pathlib import Path

from homeward.core.access import SYSTEM
from homeward.performance.services import import_dtoc, import_population


def load(data: Path) -> int:
    """Import every DTOC workbook in `data/dtoc_la_type_b` and every estimate in
    `data/ons_mye`; returns the number of files imported (0 when the folders are absent)."""
    files = sorted((data / "dtoc_la_type_b").glob("*.xls*"))
    for path in files:
        import_dtoc(actor=SYSTEM, path=path)
    estimates = sorted((data / "ons_mye").glob("*.xls*"))
    for path in estimates:
        import_population(actor=SYSTEM, path=path)
    return len(files) + len(estimates)
