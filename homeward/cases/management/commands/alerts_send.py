import time

from django.core.management.base import BaseCommand

from homeward.brokerage.services import expire_overdue
from homeward.cases.notifications import deliver


class Command(BaseCommand):
    help = (
        "Record referrals past their deadline as expired, then email case alerts to their "
        "owners (each alert once; failures retried next run)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument(
            "--every", type=int, default=0, help="keep running, sending every N seconds"
        )

    def handle(self, *args, base_url: str, every: int, **options):
        while True:
            expired = expire_overdue()
            report = deliver(base_url=base_url.rstrip("/"))
            self.stdout.write(
                f"expired {expired} unanswered referral(s); "
                f"sent {report.sent}, failed {report.failed} (will retry), "
                f"no email address for {report.skipped_no_email}"
            )
            if not every:
                return
            time.sleep(every)
