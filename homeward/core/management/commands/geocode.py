import json

from django.core.management.base import BaseCommand

from homeward.core.postcodes import InvalidPostcode, locate


class Command(BaseCommand):
    help = "Normalise postcodes and give their latitude and longitude (outcode as fallback)."

    def add_arguments(self, parser):
        parser.add_argument("postcodes", nargs="+")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, postcodes, **options):
        results = []
        for raw in postcodes:
            try:
                p = locate(raw)
                results.append(
                    {"postcode": p.postcode, "lat": p.lat, "lon": p.lon, "source": p.source}
                )
            except InvalidPostcode as exc:
                results.append({"postcode": raw, "error": str(exc)})
        if options["json"]:
            self.stdout.write(json.dumps(results))
            return
        for r in results:
            if "error" in r:
                self.stderr.write(f"{r['postcode']}: {r['error']}")
            else:
                self.stdout.write(f"{r['postcode']}\t{r['lat']:.5f}\t{r['lon']:.5f}\t{r['source']}")
