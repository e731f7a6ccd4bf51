"""`python manage.py withdraw_release VERSION --reason "…"`: withdraw a scheduled release
before it takes effect, as the release page's Withdraw button does."""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from billingcfg.core.text import moment_text
from billingcfg.management.commands.publish import user_named
from billingcfg.release_models import Release
from billingcfg.releases.services import active_release_get, release_withdraw


class Command(BaseCommand):
    help = (
        "Withdraw scheduled release VERSION before it takes effect: it is then never in force. The release stays "
        "as published, with who withdrew it, when and why. A release that has taken effect cannot be withdrawn."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("version", type=int, help="The scheduled release, e.g. 3 for v3.")
        parser.add_argument("--reason", help="Why it is withdrawn (required).")
        parser.add_argument("--user", help="The username recorded as withdrawing it (needs the publisher role).")

    def handle(self, *args, version: int, reason: str | None, user: str | None, **options) -> None:
        try:
            withdrawal = release_withdraw(version=version, reason=reason or "", user=user_named(user))
        except (Release.DoesNotExist, PermissionDenied, ValueError) as problem:
            raise CommandError(f"v{version} was not withdrawn: {problem}") from None
        active = active_release_get()
        self.stdout.write(
            self.style.SUCCESS(
                f"Withdrew v{version} (scheduled for {moment_text(withdrawal.release.effective_at)}): it will not take "
                f"effect{f'; {active} stays in force' if active else ''}."
            )
        )
