from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from homeward.core.models import Membership
from homeward.demo.seed import DEMO_PASSWORD, DemoRefused, load
from homeward.directory.models import Location


class Command(BaseCommand):
    help = "Load the realistic demo area (Trafford and neighbours) and one login per role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the directory has data"
        )

    def handle(self, *args, if_empty: bool, **options):
        if if_empty and Location.objects.exists():
            self.stdout.write("Demo data already present.")
            users = None
        else:
            self.stdout.write("Loading the demo area (Trafford, Manchester, Stockport, Salford)…")
            try:
                users = load(production=settings.PRODUCTION)
            except (DemoRefused, FileNotFoundError) as exc:
                raise CommandError(str(exc)) from exc
        if users is None:
            users = [
                (m.user.username, m.get_role_display(), m.organisation.name)
                for m in Membership.objects.select_related("user", "organisation").order_by("id")
            ]
        else:
            users = [(u.username, u.role.label, u.organisation.name) for u in users]
        self.stdout.write(f"\nDemo logins (password for each: {DEMO_PASSWORD}):")
        for username, role, organisation in users:
            self.stdout.write(f"  {username:<13} {role} at {organisation}")
