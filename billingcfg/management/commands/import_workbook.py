"""`python manage.py import_workbook PATH [--dry-run]`: import a configuration
workbook into the draft, as the admin's workbook page does: every sheet in one
transaction, nothing written if any row is invalid."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from billingcfg.core.capping import first_and_rest
from billingcfg.management.commands.publish import user_named
from billingcfg.sheets.workbook import WorkbookError, workbook_import


class Command(BaseCommand):
    help = (
        "Import the configuration workbook PATH into the draft: new rows are added, changed rows updated, "
        "unchanged rows left alone, each change recorded in history. Any invalid row: nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="An XLSX workbook, as export_workbook writes it.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")
        parser.add_argument("--user", help="The username the draft's history records.")

    def progress(self, sheet: str, done: int, total: int) -> None:
        if total >= 1000:
            self.stderr.write(f"  {sheet}: {done:,} / {total:,} rows")

    def handle(self, *args, path: Path, dry_run: bool, user: str | None, **options) -> None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path} cannot be read: {error.strerror}") from None
        try:
            result = workbook_import(
                data, dry_run=dry_run, user=user_named(user), file_name=path.name, on_progress=self.progress
            )
        except WorkbookError as error:
            raise CommandError(f"Nothing was imported: {error}") from None
        for preview in result.previews(limit=0):
            self.stdout.write(
                f"  {preview.name:<20} {preview.new:>6,} new {preview.changed:>6,} changed "
                f"{preview.unchanged:>6,} unchanged {preview.invalid:>6,} invalid"
            )
        if not result.valid:
            problems = result.problems()
            shown, rest = first_and_rest(problems)
            raise CommandError(
                f"Nothing was imported: {len(problems):,} problem(s):\n"
                + "\n".join(shown)
                + (f"\n… and {rest:,} more." if rest > 0 else "")
            )
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was written."))
        elif result.changed:
            self.stdout.write(self.style.SUCCESS(f"Imported {path} into the draft. Review and publish it."))
        else:
            self.stdout.write(self.style.SUCCESS(f"{path} matches the draft: nothing changed."))
