"""`python manage.py export_workbook PATH`: the whole configuration as one XLSX
workbook, a sheet per table, as the admin's workbook page exports it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from billingcfg.sheets.workbook import SHEETS, workbook_export


class Command(BaseCommand):
    help = "Write the whole draft configuration to PATH as an XLSX workbook, one sheet per table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="Where to write the workbook, e.g. configuration.xlsx.")

    def handle(self, *args, path: Path, **options) -> None:
        data = workbook_export()
        try:
            path.write_bytes(data)
        except OSError as error:
            raise CommandError(f"{path} cannot be written: {error.strerror}") from None
        self.stdout.write(self.style.SUCCESS(f"Wrote {path} ({len(data):,} bytes): sheets {', '.join(SHEETS)}."))
