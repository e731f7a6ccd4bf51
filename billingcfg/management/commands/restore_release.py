"""`python manage.py restore_release VERSION`: load an old release back into the
draft, as the release page's Restore button does. No release is changed."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from billingcfg.core.text import load_summary
from billingcfg.management.commands.publish import user_named
from billingcfg.release_models import Release


class Command(BaseCommand):
    help = (
        "Load release VERSION back into the draft: its rows replace the draft's, each change recorded in "
        "history. No release is changed; publish afterwards to make it active again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("version", type=int, help="The release to restore, e.g. 2 for v2.")
        parser.add_argument("--user", help="The username the draft's history records (needs the publisher role).")

    def handle(self, *args, version: int, user: str | None, **options) -> None:
        from django.core.exceptions import PermissionDenied

        from billingcfg.releases.restore import LoadError, release_restore

        try:
            result = release_restore(version=version, user=user_named(user))
        except (Release.DoesNotExist, PermissionDenied, LoadError) as problem:
            raise CommandError(f"v{version} was not restored and the draft is unchanged: {problem}") from None
        self.stdout.write(self.style.SUCCESS(f"Restored v{version} into the draft: {load_summary(result)}."))
        self.stdout.write("Review it with `python manage.py publish --dry-run`, then publish.")
