"""Loading ONS postcode positions: the NSPL `Postcode,lat,long` layout and the outcode
centroid layout `outcode,n_postcodes,mean_lat,mean_long`."""

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from homeward.core.models import Outcode, Postcode
from homeward.core.postcodes import InvalidPostcode, is_outcode, normalise

BATCH = 5000
# NSPL marks postcodes without a grid reference with 99.999999, 0; real ones fall in here.
UK_LAT = (49.0, 61.5)
UK_LON = (-9.0, 2.5)


@dataclass
class PostcodeImport:
    read: int = 0
    stored: int = 0
    rejections: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "read": self.read,
            "stored": self.stored,
            "rejected": len(self.rejections),
            "rejections": self.rejections,
        }


def _layout(header: list[str]) -> str:
    names = [h.strip().lower() for h in header]
    if names[:1] == ["outcode"] and "mean_lat" in names:
        return "outcode"
    if names and names[0] in ("postcode", "pcd", "pcds") and "lat" in names:
        return "postcode"
    raise ValueError(
        "expected a header 'Postcode,lat,long' (NSPL) or 'outcode,n_postcodes,mean_lat,mean_long'"
    )


def import_file(path: Path) -> PostcodeImport:
    """Replace the positions of every postcode or outcode in the file, atomically."""
    result = PostcodeImport()
    with Path(path).open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if not header:
            raise ValueError(f"{Path(path).name} is empty")
        layout = _layout(header)
        names = [h.strip().lower() for h in header]
        lat_i = names.index("mean_lat" if layout == "outcode" else "lat")
        lon_i = names.index("mean_long" if layout == "outcode" else "long")
        rows: list = []
        with transaction.atomic():
            for line, row in enumerate(reader, start=2):
                result.read += 1
                try:
                    key = row[0]
                    lat, lon = float(row[lat_i]), float(row[lon_i])
                    if not (UK_LAT[0] <= lat <= UK_LAT[1] and UK_LON[0] <= lon <= UK_LON[1]):
                        raise InvalidPostcode(
                            f"{key.strip()} has no grid reference (position {lat}, {lon})"
                        )
                    if layout == "outcode":
                        key = re.sub(r"\s+", "", key).upper()
                        if not is_outcode(key):
                            raise InvalidPostcode(f"{row[0]!r} is not an outcode")
                        rows.append(Outcode(outcode=key, lat=lat, lon=lon))
                    else:
                        rows.append(
                            Postcode(postcode=normalise(key).replace(" ", ""), lat=lat, lon=lon)
                        )
                except (IndexError, ValueError) as exc:
                    reason = str(exc) if isinstance(exc, InvalidPostcode) else "no position"
                    result.rejections.append({"line": line, "reason": reason})
                    continue
                if len(rows) >= BATCH:
                    result.stored += _store(rows)
                    rows = []
            result.stored += _store(rows)
    return result


def _store(rows: list) -> int:
    if not rows:
        return 0
    model = type(rows[0])
    key = model._meta.pk.name
    model.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=[key],
        update_fields=["lat", "lon"],
    )
    return len(rows)
