from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from homeward.core.tokens import issue


class Command(BaseCommand):
    help = "Create an API bearer token for a user: homeward token USERNAME [--name NAME]"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="API client")

    def handle(self, *args, username: str, name: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user called {username!r}")
        self.stdout.write(issue(user, name))
