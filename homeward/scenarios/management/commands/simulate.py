import json
import secrets
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from homeward.planning import files, results
from homeward.planning.engine import ENGINES, EngineNotInstalled, run
from homeward.planning.scenario import Scenario as Plan
from homeward.planning.scenario import ScenarioError
from homeward.scenarios.models import Scenario
from homeward.scenarios.services import plan_of


def _at_least(least: int):
    """An argparse type: a whole number of at least `least`."""

    def parse(value: str) -> int:
        number = int(value)
        if number < least:
            raise ValueError(value)
        return number

    parse.__name__ = f"whole number of at least {least}"
    return parse


class Command(BaseCommand):
    help = (
        "Simulate a discharge-pathway scenario, saved in Homeward (by id or exact name) or a "
        "file (.json, .csv or .xlsx; layout in homeward/planning/files.py): per service and "
        "day the median and 5-95% band of occupancy, people waiting and waiting time, and "
        "total delayed bed days and cost. The same seed gives the same answer on any number "
        "of workers."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "scenario", help="a saved scenario's id or exact name, or a .json, .csv or .xlsx file"
        )
        parser.add_argument("--replications", type=_at_least(1), default=1000, help="default 1000")
        parser.add_argument(
            "--seed", type=_at_least(0), help="random seed (default: a new one, printed)"
        )
        parser.add_argument(
            "--workers",
            type=_at_least(1),
            help="processes (default: one per CPU core); with dask or ray, blocks sent",
        )
        parser.add_argument(
            "--engine",
            choices=ENGINES,
            default="local",
            help="local process pool (default); dask or ray (optional extras: pip install "
            "'dask[distributed]' or 'ray'; cluster from DASK_SCHEDULER_ADDRESS or RAY_ADDRESS)",
        )
        parser.add_argument(
            "--json", action="store_true", help="print daily medians, bands and totals as JSON"
        )

    def handle(self, *args, **options):
        plan = _plan(options["scenario"])
        seed = options["seed"] if options["seed"] is not None else secrets.randbelow(2**31)
        replications = options["replications"]
        self.stderr.write(
            f"simulating '{plan.name}': {len(plan.services)} services, {plan.days} days, "
            f"{replications:,} replications, seed {seed}"
        )
        began = time.perf_counter()
        try:
            runs = run(
                plan,
                replications,
                seed,
                workers=options["workers"],
                engine=options["engine"],
                progress=lambda done, total: self.stderr.write(f"  {done:,}/{total:,} done"),
            )
        except EngineNotInstalled as exc:
            raise CommandError(str(exc)) from None
        self.stderr.write(f"finished in {time.perf_counter() - began:.1f} s")
        summary = results.summarise(runs)
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            self._table(summary)

    def _table(self, summary: dict) -> None:
        out = self.stdout.write
        out(
            f"{summary['scenario']}: {summary['days']} days from {summary['start']}, "
            f"{summary['replications']:,} replications, seed {summary['seed']}"
        )
        out("last day: median [5%-95%]; totals over the horizon: mean [5%-95%]")
        out(_row(HEADINGS))
        for item in summary["services"]:
            daily, totals = item["daily"], item["totals"]
            out(
                _row(
                    (
                        item["name"],
                        item["capacity"][-1],
                        _last(daily["occupancy"]),
                        _last(daily["waiting"]),
                        _band(totals["mean_wait"], 2),
                        _band(totals["delayed_bed_days"], 0),
                        _band(totals["cost"], 0),
                    )
                )
            )
        totals = summary["totals"]
        row = ("all services", "", "", "", "")
        out(_row((*row, _band(totals["delayed_bed_days"], 0), _band(totals["cost"], 0))))


def _plan(given: str) -> Plan:
    """The scenario a file holds, or else the saved scenario with that id or name."""
    path = Path(given)
    if path.is_file():
        try:
            return files.load(path)
        except ScenarioError as exc:
            raise CommandError(f"{path.name} cannot be simulated:\n{exc}") from None
    saved = Scenario.objects.filter(pk=int(given)) if given.isdigit() else Scenario.objects.none()
    saved = saved or Scenario.objects.filter(name=given)
    if not saved:
        raise CommandError(f"no scenario file at {path} and no saved scenario {given!r}")
    if len(saved) > 1:
        ids = ", ".join(str(s.pk) for s in saved)
        raise CommandError(f"{len(saved)} saved scenarios are called {given!r}: give an id ({ids})")
    try:
        return plan_of(saved[0].document)
    except ScenarioError as exc:
        raise CommandError(f"saved scenario {saved[0].pk} cannot be simulated:\n{exc}") from None


HEADINGS = (
    "service",
    "places",
    "in service",
    "waiting",
    "mean wait (days)",
    "delayed bed days",
    "cost (£)",
)
WIDTHS = (-24, 7, 15, 12, 19, 22, 34)  # negative: left-aligned


def _row(values) -> str:
    return " ".join(
        f"{str(v)[: -w - 1]:<{-w}}" if w < 0 else f"{v:>{w}}"
        for v, w in zip(values, WIDTHS, strict=True)
    )


def _last(bands: dict) -> str:
    return f"{bands['median'][-1]:.0f} [{bands['p5'][-1]:.0f}-{bands['p95'][-1]:.0f}]"


def _band(value: dict, digits: int) -> str:
    if value["mean"] is None:
        return "-"
    return f"{value['mean']:,.{digits}f} [{value['p5']:,.{digits}f}-{value['p95']:,.{digits}f}]"
