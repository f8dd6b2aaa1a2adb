"""Importing hospital spells (one CSV row per spell) as discharge cases.

Columns are found by name, in any order: spell_id, nhs_number, site_code, council_code,
admission_date, discharge_ready_date, discharge_date, pathway, primary_delay_reason and
attribution. A file missing any of them is unreadable and changes nothing. Each bad row is
rejected with its line and a reason; each good row creates the case with that spell_id,
updates it, or leaves it unchanged, so re-importing a file changes nothing.

The extract is the hospital's record of the spell, so its dates and site replace the stored
ones. An empty pathway or delay reason leaves what is recorded (the hub may have recorded
more since). The whole import is one transaction; lookups and writes are done in bulk: a
handful of queries per thousand rows, none per row."""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Greatest
from django.utils import timezone

from homeward.cases.models import (
    Attribution,
    CaseState,
    CaseTransition,
    CodeList,
    DelayEpisode,
    DischargeCase,
    Patient,
    ReferenceCode,
)
from homeward.core import audit, clock, councils, nhs_number
from homeward.core.access import Actor
from homeward.core.models import Organisation, OrganisationKind

COLUMNS = (
    "spell_id",
    "nhs_number",
    "site_code",
    "council_code",
    "admission_date",
    "discharge_ready_date",
    "discharge_date",
    "pathway",
    "primary_delay_reason",
    "attribution",
)
BATCH = 2000
MAX_SPELL_ID = 64
DISCHARGE_TIME = time(12, 0)  # the extract gives the day only: record midday, local time
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ODS_SITE = re.compile(r"^[A-Z0-9]{5,6}$")
# Once discharged (or discharged and readmitted) the spell has ended.
ENDED_STATES = {CaseState.DISCHARGED, CaseState.READMITTED}


class UnreadableFile(ValueError):
    """The file as a whole cannot be read; nothing from it is stored."""


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str


@dataclass(frozen=True)
class SpellRecord:
    """One valid row, with codes in their canonical spelling."""

    line: int
    spell_id: str
    nhs_number: str
    site_code: str
    council_code: str
    admission_date: date
    discharge_ready_date: date | None
    discharge_date: date | None
    pathway: str
    delay_reason: str
    attribution: str


@dataclass
class SpellImportReport:
    """The reconciliation: read = created + updated + unchanged + rejected."""

    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    def counts(self) -> dict[str, int]:
        return {
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }

    def as_dict(self) -> dict:
        return {
            **self.counts(),
            "rejections": [{"line": r.line, "reason": r.reason} for r in self.rejections],
        }


@dataclass(frozen=True)
class CodeLists:
    """What rows are checked against, loaded once per import."""

    councils: dict[str, int]
    pathways: dict[str, int]
    delay_reasons: dict[str, tuple[str, int]]  # lower-case code -> (code, id)
    today: date
    production: bool

    @classmethod
    def load(cls) -> "CodeLists":
        codes = list(ReferenceCode.objects.values_list("list", "code", "id"))
        reasons: dict[str, tuple[str, int]] = {}
        pathways: dict[str, int] = {}
        for name, code, pk in codes:
            if name == CodeList.PATHWAY:
                pathways[code.upper()] = pk
            elif name == CodeList.LEGACY_DTOC:
                reasons.setdefault(code.lower(), (code, pk))
        for name, code, pk in codes:
            if name == CodeList.DELAY_REASON:
                reasons[code.lower()] = (code, pk)  # a current code wins over a legacy one
        return cls(
            councils=dict(
                Organisation.objects.filter(kind=OrganisationKind.COUNCIL).values_list("code", "id")
            ),
            pathways=pathways,
            delay_reasons=reasons,
            today=timezone.localdate(clock.now()),
            production=settings.PRODUCTION,
        )


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str] | str]]:
    """(line, row by column name) per data row, or (line, problem) for a misshapen row.

    Raises UnreadableFile when the file is not UTF-8 CSV or lacks a column."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"{path.name} is not UTF-8 text: save it as CSV (UTF-8)") from exc
    except OSError as exc:
        raise UnreadableFile(f"cannot read {path}: {exc.strerror}") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise UnreadableFile(f"{path.name} is empty: expected a header row") from None
    except csv.Error as exc:
        raise UnreadableFile(f"{path.name} is not a readable CSV file: {exc}") from exc
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise UnreadableFile(
            f"{path.name} lacks the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; expected {', '.join(COLUMNS)}"
        )
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        raise UnreadableFile(f"{path.name} has the column {', '.join(twice)} more than once")
    end = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise UnreadableFile(f"line {reader.line_num}: not readable as CSV ({exc})") from exc
        line, end = end + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue  # blank lines are not rows
        if len(cells) != len(header):
            yield line, f"the row has {len(cells)} values but the header has {len(header)}"
            continue
        yield line, {h: c.strip() for h, c in zip(header, cells, strict=True)}


def _date(row: dict[str, str], column: str, label: str, problems: list[str], today: date):
    value = row[column]
    if not value:
        return None
    if not ISO_DATE.match(value):
        problems.append(f"{label} '{value}' is not a date (use YYYY-MM-DD)")
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        problems.append(f"{label} '{value}' is not a real date")
        return None
    if parsed > today:
        problems.append(f"{label} {value} is in the future")
    return parsed


def check_row(line: int, row: dict[str, str], codes: CodeLists) -> SpellRecord | Rejection:
    """A valid record, or a rejection naming every problem of the row."""
    problems: list[str] = []
    spell_id = row["spell_id"]
    if not spell_id:
        problems.append("spell_id is missing")
    elif len(spell_id) > MAX_SPELL_ID:
        problems.append(f"spell_id is longer than {MAX_SPELL_ID} characters")

    number = ""
    try:
        number = nhs_number.normalise(row["nhs_number"], production=codes.production)
    except nhs_number.InvalidNhsNumber as exc:
        problems.append(f"bad NHS number: {exc}")

    site = row["site_code"].upper()
    if not ODS_SITE.match(site):
        problems.append(
            f"site code '{row['site_code']}' is not an ODS site code "
            "(5 or 6 letters and digits, starting with the trust's code, e.g. RBV01)"
        )

    council = row["council_code"].upper()
    if council not in codes.councils:
        hint = councils.suggest_code(council)
        problems.append(
            f"unknown council code '{row['council_code']}'"
            + (f" (did you mean {hint}?)" if hint in codes.councils else "")
            + "; use the ONS code of a council with social services, e.g. E08000009"
        )

    admitted = _date(row, "admission_date", "admission date", problems, codes.today)
    if admitted is None and not row["admission_date"]:
        problems.append("admission date is missing")
    ready = _date(row, "discharge_ready_date", "discharge ready date", problems, codes.today)
    left = _date(row, "discharge_date", "discharge date", problems, codes.today)
    if admitted and ready and ready < admitted:
        problems.append("discharge ready date before admission")
    if ready and left and left < ready:
        problems.append("discharge before the discharge ready date")
    elif admitted and left and not ready and left < admitted:
        problems.append("discharge before admission")

    pathway = row["pathway"].upper()
    if pathway and pathway not in codes.pathways:
        problems.append(
            f"unknown pathway code '{row['pathway']}' (use {', '.join(sorted(codes.pathways))})"
        )

    reason = ""
    raw_reason = row["primary_delay_reason"]
    if raw_reason:
        found = codes.delay_reasons.get(raw_reason.lower())
        if found is None:
            problems.append(
                f"unknown delay reason code '{raw_reason}' (use R01 to R18, or a legacy "
                "code: A, B, C, Di, Dii, E, F, G, H, I, O)"
            )
        else:
            reason = found[0]
        if not row["discharge_ready_date"]:
            problems.append("a primary delay reason needs a discharge ready date")

    attribution = re.sub(r"[\s-]+", "_", row["attribution"].lower())
    if attribution and attribution not in Attribution.values:
        problems.append(
            f"attribution '{row['attribution']}' is not one of nhs, social_care or both"
        )
    elif raw_reason and not attribution:
        problems.append("a primary delay reason needs an attribution (nhs, social_care, both)")
    elif attribution and not raw_reason:
        problems.append("an attribution needs a primary delay reason")

    if problems:
        return Rejection(line, "; ".join(problems))
    return SpellRecord(
        line=line,
        spell_id=spell_id,
        nhs_number=number,
        site_code=site,
        council_code=council,
        admission_date=admitted,
        discharge_ready_date=ready,
        discharge_date=left,
        pathway=pathway,
        delay_reason=reason,
        attribution=attribution,
    )


def parse_file(path: Path, codes: CodeLists) -> tuple[list[SpellRecord], SpellImportReport]:
    """Every row checked: valid records (first of each spell_id) and the report so far."""
    report = SpellImportReport()
    records: dict[str, SpellRecord] = {}
    for line, row in read_rows(path):
        report.read += 1
        checked = row if isinstance(row, str) else check_row(line, row, codes)
        if isinstance(checked, str):
            report.rejections.append(Rejection(line, checked))
        elif isinstance(checked, Rejection):
            report.rejections.append(checked)
        elif checked.spell_id in records:
            first = records[checked.spell_id].line
            report.rejections.append(
                Rejection(line, f"spell {checked.spell_id} already appears on line {first}")
            )
        else:
            records[checked.spell_id] = checked
    return list(records.values()), report


def _chunks(items: list, size: int = BATCH) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _organisations(records: list[SpellRecord]) -> dict[str, tuple[int, int]]:
    """(trust id, site id) per site code, creating the trusts and sites not yet known."""
    site_codes = sorted({r.site_code for r in records})
    trust_codes = sorted({code[:3] for code in site_codes})

    def known(kind: str, wanted: list[str]) -> dict[str, int]:
        return {
            code: pk
            for chunk in _chunks(wanted)
            for code, pk in Organisation.objects.filter(kind=kind, code__in=chunk).values_list(
                "code", "id"
            )
        }

    trusts = known(OrganisationKind.TRUST, trust_codes)
    new_trusts = [
        Organisation(kind=OrganisationKind.TRUST, code=c, name=f"NHS trust {c}")
        for c in trust_codes
        if c not in trusts
    ]
    if new_trusts:
        Organisation.objects.bulk_create(new_trusts, batch_size=BATCH)
        trusts = known(OrganisationKind.TRUST, trust_codes)
    sites = known(OrganisationKind.SITE, site_codes)
    new_sites = [
        Organisation(
            kind=OrganisationKind.SITE, code=c, name=f"Hospital site {c}", parent_id=trusts[c[:3]]
        )
        for c in site_codes
        if c not in sites
    ]
    if new_sites:
        Organisation.objects.bulk_create(new_sites, batch_size=BATCH)
        sites = known(OrganisationKind.SITE, site_codes)
    return {c: (trusts[c[:3]], sites[c]) for c in site_codes}


def _patients(records: list[SpellRecord]) -> dict[str, int]:
    """Patient id per NHS number, creating (with the number only) those not yet known."""
    numbers = sorted({r.nhs_number for r in records})

    def known() -> dict[str, int]:
        return {
            n: pk
            for chunk in _chunks(numbers)
            for n, pk in Patient.objects.filter(nhs_number__in=chunk).values_list(
                "nhs_number", "id"
            )
        }

    ids = known()
    new = [Patient(nhs_number=n) for n in numbers if n not in ids]
    if new:
        Patient.objects.bulk_create(new, batch_size=BATCH)
        ids = known()
    return ids


def _at(day: date | None, at: time) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, at), timezone.get_default_timezone())


CASE_FIELDS = [
    "patient_id",
    "trust_id",
    "site_id",
    "council_id",
    "admission_date",
    "discharge_ready_date",
    "discharged_at",
    "pathway_id",
    "state",
]


@dataclass
class _Delay:
    reason_id: int
    attribution: str
    started_at: datetime
    ended_at: datetime | None


def _primary_delays(case_ids: list[int]) -> dict[int, DelayEpisode]:
    """Each case's primary delay: the open one, else the latest."""
    found: dict[int, DelayEpisode] = {}
    for chunk in _chunks(case_ids):
        episodes = DelayEpisode.objects.filter(case_id__in=chunk, primary=True).only(
            "case_id", "reason_id", "attribution", "primary", "started_at", "ended_at"
        )
        for ep in episodes.order_by("case_id", "started_at", "id"):
            held = found.get(ep.case_id)
            if held is None or held.ended_at is not None:
                found[ep.case_id] = ep
    return found


def _store(records: list[SpellRecord], codes: CodeLists, report: SpellImportReport, source: str):
    """Create, update or leave each spell's case, its state history and its primary delay.

    1. Resolve organisations and patients in bulk, creating those not yet known.
    2. Load the existing cases for these spells and their primary delays.
    3. Compare each record with its case: create, update or count as unchanged.
    4. Write cases, transitions and delay episodes with bulk statements; close the other
       open delays of cases that have just been discharged."""
    now = clock.now()
    orgs = _organisations(records)
    patients = _patients(records)
    spell_ids = [r.spell_id for r in records]
    existing: dict[str, tuple[int, dict]] = {}
    for chunk in _chunks(spell_ids):
        # Plain values, not model instances: ten times faster on tens of thousands of rows.
        for pk, spell_id, *values in DischargeCase.objects.filter(spell_id__in=chunk).values_list(
            "id", "spell_id", *CASE_FIELDS
        ):
            existing[spell_id] = (pk, dict(zip(CASE_FIELDS, values, strict=True)))
    primaries = _primary_delays([pk for pk, _ in existing.values()])

    new_cases: list[tuple[DischargeCase, _Delay | None]] = []
    changed: list[DischargeCase] = []
    transitions: list[CaseTransition] = []
    demoted: list[DelayEpisode] = []
    redated: list[DelayEpisode] = []
    new_delays: list[DelayEpisode] = []
    just_discharged: list[int] = []
    for r in records:
        trust_id, site_id = orgs[r.site_code]
        discharged_at = _at(r.discharge_date, DISCHARGE_TIME)
        delay = (
            _Delay(
                codes.delay_reasons[r.delay_reason.lower()][1],
                r.attribution,
                _at(r.discharge_ready_date, time(0)),
                discharged_at,
            )
            if r.delay_reason
            else None
        )
        pk, before = existing.get(r.spell_id, (None, {}))
        was = before.get("state")
        if was is None:
            state = CaseState.DISCHARGED if discharged_at else CaseState.AWAITING_PROVISION
        elif discharged_at:
            state = was if was in ENDED_STATES else CaseState.DISCHARGED
        else:
            state = CaseState.AWAITING_PROVISION if was in ENDED_STATES else was
        after = {
            "patient_id": patients[r.nhs_number],
            "trust_id": trust_id,
            "site_id": site_id,
            "council_id": codes.councils[r.council_code],
            "admission_date": r.admission_date,
            "discharge_ready_date": r.discharge_ready_date,
            "discharged_at": discharged_at,
            "pathway_id": codes.pathways[r.pathway] if r.pathway else before.get("pathway_id"),
            "state": state,
        }
        if pk is None:
            case = DischargeCase(spell_id=r.spell_id, owner_organisation_id=trust_id, **after)
            new_cases.append((case, delay))
            continue
        delay_changed = _apply_delay(pk, delay, primaries.get(pk), demoted, redated, new_delays)
        if after == before and not delay_changed:
            report.unchanged += 1
            continue
        changed.append(DischargeCase(pk=pk, updated_at=now, **after))
        if was != state:
            transitions.append(_transition(pk, was, state, now, source))
            if state == CaseState.DISCHARGED:
                just_discharged.append(pk)

    DischargeCase.objects.bulk_create([c for c, _ in new_cases], batch_size=BATCH)
    if new_cases and new_cases[0][0].pk is None:
        # Backends that cannot return ids from a bulk insert: read them back by spell.
        new_ids = [c.spell_id for c, _ in new_cases]
        pks = {
            s: pk
            for chunk in _chunks(new_ids)
            for s, pk in DischargeCase.objects.filter(spell_id__in=chunk).values_list(
                "spell_id", "id"
            )
        }
        for c, _ in new_cases:
            c.pk = pks[c.spell_id]
    for case, delay in new_cases:
        transitions.append(_transition(case.pk, "", case.state, now, source))
        if delay is not None:
            new_delays.append(_episode(case.pk, delay))
    DischargeCase.objects.bulk_update(changed, [*CASE_FIELDS, "updated_at"], batch_size=BATCH)
    DelayEpisode.objects.bulk_update(demoted, ["primary"], batch_size=BATCH)
    DelayEpisode.objects.bulk_update(redated, ["started_at", "ended_at"], batch_size=BATCH)
    DelayEpisode.objects.bulk_create(new_delays, batch_size=BATCH)
    CaseTransition.objects.bulk_create(transitions, batch_size=BATCH)
    discharged_at = DischargeCase.objects.filter(pk=OuterRef("case_id")).values("discharged_at")
    for chunk in _chunks(just_discharged):
        # As when a case is discharged in Homeward: every delay still open ends with it.
        DelayEpisode.objects.filter(case_id__in=chunk, ended_at=None).update(
            ended_at=Greatest(F("started_at"), Subquery(discharged_at[:1]))
        )
    report.created = len(new_cases)
    report.updated = len(changed)


def _apply_delay(case_id: int, delay, current, demoted, redated, new_delays) -> bool:
    """Bring the case's primary delay in line with the record; True when anything changed."""
    if delay is None:
        return False
    if current is not None and (current.reason_id, current.attribution) == (
        delay.reason_id,
        delay.attribution,
    ):
        if (current.started_at, current.ended_at) == (delay.started_at, delay.ended_at):
            return False
        current.started_at, current.ended_at = delay.started_at, delay.ended_at
        redated.append(current)
        return True
    if current is not None:
        current.primary = False  # as add_delay does: demoted, its dates kept
        demoted.append(current)
    new_delays.append(_episode(case_id, delay))
    return True


def _episode(case_id: int, delay: _Delay) -> DelayEpisode:
    return DelayEpisode(
        case_id=case_id,
        reason_id=delay.reason_id,
        attribution=delay.attribution,
        primary=True,
        started_at=delay.started_at,
        ended_at=delay.ended_at,
    )


def _transition(case_id: int, from_state: str, to_state: str, at: datetime, source: str):
    return CaseTransition(
        case_id=case_id,
        from_state=from_state,
        to_state=to_state,
        at=at,
        reason=f"spell import from {source}"[:255],
    )


def import_spells(*, actor: Actor, path: Path, filename: str = "") -> SpellImportReport:
    """Check every row, then store the valid ones in one transaction, with the audit row.

    Raises UnreadableFile (changing nothing) when the file cannot be read as a spell file."""
    name = filename or path.name
    with transaction.atomic():
        codes = CodeLists.load()
        records, report = parse_file(path, codes)
        _store(records, codes, report, name)
        audit.record(
            actor, "cases.import", object_type="file", object_id=name[:64], **report.counts()
        )
    return report
