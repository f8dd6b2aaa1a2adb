"""A run's results as downloadable tables: every service's daily medians and 5-95% bands
(CSV, or the `daily` sheet of an xlsx workbook) and the totals (the `totals` sheet)."""

import csv
import io

from openpyxl import Workbook

METRICS = ("occupancy", "waiting", "wait_days")
DAILY_COLUMNS = (
    "service",
    "pathway",
    "locality",
    "date",
    "capacity",
    *(f"{metric}_{stat}" for metric in METRICS for stat in ("median", "p5", "p95")),
)
TOTAL_COLUMNS = ("service", "measure", "mean", "se", "median", "p5", "p95")
ALL_SERVICES = "all services"


def daily_rows(summary: dict) -> list[list]:
    rows = []
    for service in summary["services"]:
        daily = service["daily"]
        for day, when in enumerate(summary["dates"]):
            row = [service["name"], service["pathway"], service["locality"], when]
            row.append(service["capacity"][day])
            for metric in METRICS:
                band = daily[metric]
                row += [band["median"][day], band["p5"][day], band["p95"][day]]
            rows.append(row)
    return rows


def total_rows(summary: dict) -> list[list]:
    rows = []
    for name, totals in [(s["name"], s["totals"]) for s in summary["services"]] + [
        (ALL_SERVICES, summary["totals"])
    ]:
        for measure, found in totals.items():
            rows.append([name, measure, *(found[k] for k in TOTAL_COLUMNS[2:])])
    return rows


def to_csv(summary: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DAILY_COLUMNS)
    writer.writerows(daily_rows(summary))
    return out.getvalue()


def to_xlsx(summary: dict) -> bytes:
    book = Workbook()
    daily = book.active
    daily.title = "daily"
    daily.append(list(DAILY_COLUMNS))
    for row in daily_rows(summary):
        daily.append(row)
    totals = book.create_sheet("totals")
    totals.append(list(TOTAL_COLUMNS))
    for row in total_rows(summary):
        totals.append(row)
    about = book.create_sheet("run")
    for key in ("scenario", "seed", "replications", "start", "days"):
        about.append([key, summary[key]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
