"""`python manage.py import_price_map PATH [--provider SLUG …] [--confirm ROW …]
[--confirm-all-held] [--dry-run] [--user NAME]`: check a LiteLLM price list
(model_prices_and_context_window.json) against the draft and, unless --dry-run,
write its changed and new supplier costs into it, as the admin's "Import price
list" page does. Rows held back (a move of more than PRICE_LIST_HOLD_SHARE, to
or from zero) are written only when --confirm names them."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from billingcfg.core.text import load_summary
from billingcfg.core.uploads import size_problem
from billingcfg.management.commands.publish import user_named
from rates.price_list_text import report_lines

UNMATCHED_SHOWN = 20


class Command(BaseCommand):
    help = (
        "Compare a provider price list in LiteLLM's model_prices_and_context_window.json format with the "
        "draft's provider costs: print the costs that differ (old → new, change in percent), the new cost rows, "
        "the credit rates whose margins that moves (worst first), and the keys and entries it skipped. Without "
        "--dry-run the changes are written into the draft (publish them afterwards); with it nothing is written. "
        "A move of more than PRICE_LIST_HOLD_SHARE of a cost (default ±50 %%) or to zero is held back until "
        "--confirm names its row; a negotiated cost is never overwritten. "
        "Exits non-zero, writing nothing, when the file is not a price list."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The price list, e.g. model_prices_and_context_window.json.")
        parser.add_argument(
            "--provider",
            action="append",
            dest="providers",
            metavar="SLUG",
            help="Only our models of this provider (repeat for several), e.g. --provider google.",
        )
        parser.add_argument(
            "--confirm",
            action="append",
            dest="confirmed",
            default=[],
            metavar="ROW",
            help="Write this held row too, named as the report lists it: model/variant/meter/supplier, * for all "
            "variants, e.g. --confirm 'gemini-3-pro/*/input_tokens/google' (repeat for several).",
        )
        parser.add_argument(
            "--confirm-all-held", action="store_true", help="Write every held row (each is listed in the report)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Report only; write nothing.")
        parser.add_argument("--user", help="The username the draft's history records.")

    def handle(
        self, *args, path: Path, providers: list[str] | None, dry_run: bool, user: str | None, **options
    ) -> None:
        from billingcfg.models import Product
        from billingcfg.releases.restore import LoadError
        from rates.price_list import PriceListInvalid
        from rates.price_list_import import ImportRefused, price_list_apply, price_list_check

        data = self.read(path)
        who = user_named(user)
        kwargs = {
            "providers": providers,
            "filename": path.name,
            "on_progress": self.progress,
            "confirmed": options["confirmed"],
            "confirm_all_held": options["confirm_all_held"],
        }
        try:
            if dry_run:
                report, result = price_list_check(data, **kwargs), None
            else:
                report, result = price_list_apply(data, user=who, **kwargs)
        except (PriceListInvalid, ImportRefused, LoadError, Product.DoesNotExist) as problem:
            raise CommandError(f"{path.name}: {problem}; nothing was written") from None
        for line in report_lines(report, all_unmatched=options["verbosity"] > 1, unmatched_shown=UNMATCHED_SHOWN):
            self.stdout.write(line)
        if result is None:
            self.stdout.write("Dry run: nothing was written.")
        elif not report.changes_draft:
            held = f" ({len(report.held):,} held back, not confirmed)" if report.held else ""
            self.stdout.write(self.style.SUCCESS(f"The draft already holds these prices{held}: nothing was written."))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Written into the draft: {load_summary(result)}"
                    + (f"; {len(report.held):,} held back, not written" if report.held else "")
                    + ". Review it with `python manage.py publish --dry-run`, then publish."
                )
            )

    def read(self, path: Path) -> bytes:
        try:
            problem = size_problem(path.stat().st_size, name=f"'{path.name}'")
            if problem:
                raise CommandError(f"{problem}; nothing was written")
            return path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: cannot be read ({error.strerror or error})") from None

    def progress(self, done: int, total: int) -> None:
        # Short lists finish at once; progress is for the long ones (LiteLLM's has thousands of entries).
        if total > 500:
            self.stderr.write(f"  {done:,} / {total:,} entries")
