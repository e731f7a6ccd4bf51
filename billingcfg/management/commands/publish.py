"""`python manage.py publish --note "…" [--at 2026-12-01T00:00Z] [--dry-run]`: publish
the draft as the next release, as the admin's Publish page does."""

import argparse
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from billingcfg.core.text import change_text, margin_cell, moment_text
from billingcfg.releases import services as releases
from billingcfg.releases.services import (
    PublishRefused,
    active_release_get,
    configuration_diff,
    draft_check,
    later_release_warning,
    release_documents,
    release_publish,
    releases_scheduled_after,
)
from pricing.validation import target_text


def moment(text: str) -> datetime:
    """An ISO 8601 date-time; one without a zone is UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 date-time; write e.g. 2026-12-01T00:00Z"
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def user_named(username: str | None):
    if username is None:
        return None
    User = get_user_model()
    user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
    if user is None:
        raise CommandError(f"there is no user {username!r}")
    return user


class Command(BaseCommand):
    help = (
        "Publish the draft as the next release: validate it, store it, and print its version, when it takes "
        "effect and its sha256. Refused when the draft has blocking problems, each printed with its row and "
        "rule. --dry-run prints the problems, the warnings and what changed against the active release (each "
        "product's prices at its own credit), and publishes nothing; it exits non-zero when publishing would be "
        "refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--note", help="What changed and why (required unless --dry-run).")
        parser.add_argument(
            "--at",
            type=moment,
            dest="effective_at",
            help="When the release takes effect, ISO 8601 (2026-12-01T00:00Z); default now. "
            "A time without a zone is UTC.",
        )
        parser.add_argument("--user", help="The username recorded as the publisher.")
        parser.add_argument("--dry-run", action="store_true", help="Check and show the diff; publish nothing.")

    def handle(
        self, *args, note: str | None, effective_at: datetime | None, user: str | None, dry_run: bool, **options
    ) -> None:
        if dry_run:
            self.dry_run()
            return
        if not (note or "").strip():
            raise CommandError("--note is required: say what changed and why")
        try:
            release = release_publish(note=note, user=user_named(user), effective_at=effective_at)
        except PublishRefused as refused:
            self.print_problems(refused.validation.errors, "Problems that block publishing")
            count = len(refused.validation.errors)
            raise CommandError(
                f"publishing refused: {count} problem{'s' if count != 1 else ''} to fix first; nothing was published"
            ) from None
        except ValueError as problem:
            raise CommandError(str(problem)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Published {release}, effective {moment_text(release.effective_at)}, sha256 {release.sha256}"
            )
        )
        for later in releases_scheduled_after(at=release.effective_at):
            self.stderr.write(self.style.WARNING(f"Warning: {later_release_warning(later)}"))

    def print_problems(self, problems, title: str, out=None) -> None:
        out = out or self.stderr
        out.write(f"{title} ({len(problems)}):")
        for problem in problems:
            out.write(f"  {problem.place} [{problem.rule}]: {problem.message}")

    def dry_run(self) -> None:
        check = draft_check()
        active = active_release_get()
        if active is None:
            self.stdout.write("No release yet: everything in the draft is new.")
        else:
            self.stdout.write(
                f"Draft compared with the active release {active} "
                f"(effective {moment_text(active.effective_at)}): {active.note}"
            )
        for later in releases_scheduled_after(at=releases.now()):
            self.stdout.write(f"Scheduled: {later_release_warning(later)}")
        errors, warnings = check.validation.errors, check.validation.warnings
        if errors:
            self.print_problems(errors, "Problems that block publishing", self.stdout)
        else:
            self.stdout.write("Problems that block publishing: none.")
        if warnings:
            self.print_problems(warnings, "Warnings", self.stdout)
        old = release_documents(active) if active else None
        diff = configuration_diff(old, check)
        summary = diff["summary"]
        self.stdout.write(
            f"Changes: {summary['added']} added, {summary['removed']} removed, {summary['changed']} changed."
        )
        for slug in dict.fromkeys((*check.products, *(old.products if old else ()))):
            self.print_product(slug, check.products.get(slug), old.products.get(slug) if old else None, diff)
        if errors:
            raise CommandError(
                f"dry run: publishing would be refused ({len(errors)} "
                f"problem{'s' if len(errors) != 1 else ''}); nothing was published"
            )
        self.stdout.write("Dry run: nothing was published.")

    def print_product(self, slug: str, new: dict | None, old: dict | None, diff: dict) -> None:
        """One product's price changes, at its own credit and in its own currency."""
        shown = (new or old)["product"]
        head = f"Product {slug} ({shown['name']}; {shown['credit_name']} in {shown['reporting_currency']}, target "
        head += target_text(SimpleNamespace(**{key: _decimal(shown.get(key)) for key in TARGET_KEYS})) + ")"
        if new is None:
            self.stdout.write(f"{head}: removed from the draft.")
            return
        prices = [price for price in diff["prices"] if price["product"] == slug]
        added = " new in this release;" if old is None else ""
        if not prices:
            self.stdout.write(f"{head}:{added} no price changes.")
            return
        self.stdout.write(f"{head}:{added} prices ({len(prices)}):")
        for price in prices:
            credits, margin = price["credits"], price["margin"]
            change = change_text(price["change"])
            lowest = [margin_cell(margin["lowest"][side], None, at="lowest")["text"] for side in ("old", "new")]
            basis = [margin_cell(margin["basis"][side], None, at="basis")["text"] for side in ("old", "new")]
            self.stdout.write(
                f"  {price['model']} / {price['variant']}: credits {_shown(credits['old'])} → "
                f"{_shown(credits['new'])}{f' ({change})' if change else ''}; gross margin at lowest "
                f"{lowest[0]} → {lowest[1]}, at basis {basis[0]} → {basis[1]}"
            )


TARGET_KEYS = ("target_gross_margin", "target_gross_margin_high")


def _decimal(text) -> Decimal | None:
    return None if text is None else Decimal(text)


def _shown(credits) -> str:
    return "—" if credits is None else f"{credits:,}" if isinstance(credits, int) else str(credits)
