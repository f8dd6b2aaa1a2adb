import time

from django.core.management.base import BaseCommand

from homeward.brokerage import notifications as provider_notifications
from homeward.brokerage.services import expire_overdue
from homeward.cases import notifications as case_notifications
from homeward.core.mail import DeliveryReport


def _words(report: DeliveryReport) -> str:
    return (
        f"sent {report.sent}, failed {report.failed} (will retry), "
        f"no email address for {report.skipped_no_email}"
    )


class Command(BaseCommand):
    help = (
        "Record referrals past their deadline as expired, then email case alerts to their "
        "owners, and new referrals and capacity requests to providers' managers (each once; "
        "failures retried next run)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument(
            "--every", type=int, default=0, help="keep running, sending every N seconds"
        )

    def handle(self, *args, base_url: str, every: int, **options):
        base = base_url.rstrip("/")
        while True:
            expired = expire_overdue()
            cases = case_notifications.deliver(base_url=base)
            providers = provider_notifications.deliver(base_url=base)
            self.stdout.write(
                f"expired {expired} unanswered referral(s); case alerts: {_words(cases)}; "
                f"to providers: {_words(providers)}"
            )
            if not every:
                return
            time.sleep(every)
