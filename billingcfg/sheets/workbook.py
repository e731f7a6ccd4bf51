"""The whole configuration as one XLSX workbook: a sheet per table, in the order
that imports cleanly (every table after the tables it points to), and back.

Import runs every sheet through its table's resource inside one transaction:
a file with any invalid row writes nothing, and a dry run (the preview) is the
same import rolled back. Exporting an imported workbook gives the same cells.
"""

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import tablib
from django.db import transaction
from import_export.results import Result

from billingcfg.core.jsonlimits import load_json
from billingcfg.core.uploads import size_problem
from billingcfg.releases.document import canonical_bytes, draft_configuration_sha256, sha256
from billingcfg.releases.services import DraftChanged
from billingcfg.sheets.preview import SheetPreview, sheet_preview
from billingcfg.sheets.resources import WORKBOOK_RESOURCES
from billingcfg.sheets.xlsx import ZIP_MAGIC, WorkbookError, open_workbook, sheet_dataset, xlsx_problem
from rates.models import PriceListSupplier

SHEETS = tuple(WORKBOOK_RESOURCES)  # dependency order
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def size_check(size: int, *, name: str) -> None:
    """Refuses a file over `IMPORT_MAX_BYTES` before it is read."""
    problem = size_problem(size, name=f"'{name}'")
    if problem:
        raise WorkbookError(problem)


def file_kind_problem(data: bytes, *, kind: str, name: str) -> str | None:
    """Why the bytes are not the file their format says (CSV, XLSX or JSON), or None."""
    if not data:
        return f"'{name}' is empty"
    if kind == "xlsx":
        return xlsx_problem(data, name=name)
    if data.startswith(ZIP_MAGIC) or b"\x00" in data[:4096]:
        return f"'{name}' is a binary file, not {kind.upper()} text"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return f"'{name}' is not UTF-8 text (byte {error.start:,} cannot be read); save it as CSV UTF-8"
    if kind == "json":
        try:
            rows = load_json(text)
        except json.JSONDecodeError as error:
            return f"'{name}' is not JSON: line {error.lineno}, column {error.colno}: {error.msg}"
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            return f"'{name}' is JSON but not a list of rows (objects keyed by column)"
    return None


# ---- export -------------------------------------------------------------------------------------


def workbook_export() -> bytes:
    """Every configuration table as one sheet: headers in row 1, one row per stored row.
    Decimals are number cells (every column keeps at most 15 significant digits,
    so they read back exactly), dates are date cells, text is formula-safe."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    for name in SHEETS:
        resource = WORKBOOK_RESOURCES[name]()
        sheet = book.create_sheet(name)
        fields = resource.get_import_fields()
        sheet.append([f.column_name for f in fields])
        for instance in resource.get_queryset():
            sheet.append([f.export(instance, force_native_type=True) for f in fields])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---- reading ------------------------------------------------------------------------------------


def workbook_read(data: bytes, *, name: str = "the file") -> dict[str, tablib.Dataset]:
    """The workbook's sheets as datasets, headers first. Refuses an empty file, a
    file that is not an XLSX workbook, a damaged one, and missing or unknown sheets."""
    size_check(len(data), name=name)
    if not data:
        raise WorkbookError(f"'{name}' is empty")
    book = open_workbook(data, name=name)
    names = list(book.sheetnames)
    missing = [sheet for sheet in SHEETS if sheet not in names]
    unknown = [sheet for sheet in names if sheet not in SHEETS]
    problems = []
    if missing:
        problems.append("missing sheet " + ", ".join(f"'{sheet}'" for sheet in missing))
    if unknown:
        problems.append("unknown sheet " + ", ".join(f"'{sheet}'" for sheet in unknown))
    if problems:
        raise WorkbookError(
            f"'{name}': " + "; ".join(problems) + ". A configuration workbook has the sheets " + ", ".join(SHEETS) + "."
        )
    return {
        sheet_name: sheet_dataset(book[sheet_name], resource=WORKBOOK_RESOURCES[sheet_name](), name=sheet_name)
        for sheet_name in SHEETS
    }


# ---- import -------------------------------------------------------------------------------------


@dataclass
class SheetResult:
    name: str
    result: Result | None = None
    error: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.error) or (
            self.result is not None and (self.result.has_errors() or self.result.has_validation_errors())
        )

    def preview(self, limit: int | None = None) -> SheetPreview:
        return sheet_preview(self.name, self.result, error=self.error, limit=limit)

    def problems(self) -> list[str]:
        """Every reason the sheet cannot be imported: sheet, row, column and rule."""
        return self.preview(limit=10**9).messages()


@dataclass
class WorkbookResult:
    sheets: list[SheetResult] = field(default_factory=list)
    dry_run: bool = True
    draft_sha256: str = ""  # the draft the import was checked against, before it

    @property
    def valid(self) -> bool:
        return not any(sheet.failed for sheet in self.sheets)

    def previews(self, limit: int | None = None) -> list[SheetPreview]:
        return [sheet.preview(limit) for sheet in self.sheets]

    @property
    def changed(self) -> bool:
        return any(preview.new or preview.changed for preview in self.previews(limit=0))

    def problems(self) -> list[str]:
        return [problem for sheet in self.sheets for problem in sheet.problems()]


Progress = Callable[[str, int, int], None]


def workbook_sha256() -> str:
    """The fingerprint of what a workbook writes to: the draft and the price-list suppliers
    (a sheet of the workbook, though no part of a release)."""
    names = PriceListSupplier.objects.order_by("pattern").values_list("pattern", "supplier__slug", "notes")
    return sha256(canonical_bytes({"draft": draft_configuration_sha256(), "price_list_suppliers": list(names)}))


@transaction.atomic
def workbook_import(
    data: bytes,
    *,
    dry_run: bool,
    user=None,
    file_name: str = "workbook.xlsx",
    on_progress: Progress | None = None,
    reviewed_draft_sha256: str | None = None,
) -> WorkbookResult:
    """Import every sheet in dependency order in one transaction. Nothing is
    written when `dry_run` is set or any row of any sheet is invalid; then the
    result says what would have been written and what is wrong, row by row.
    `reviewed_draft_sha256`: the draft the user's preview was made on
    (`WorkbookResult.draft_sha256`); DraftChanged, and nothing written, when
    someone saved a row since."""
    sheets = workbook_read(data, name=file_name)
    current = workbook_sha256()
    if reviewed_draft_sha256 is not None and reviewed_draft_sha256 != current:
        raise DraftChanged(reviewed=reviewed_draft_sha256, current=current)
    outcome = WorkbookResult(dry_run=dry_run, draft_sha256=current)
    reason = f"Imported from workbook {file_name}"
    for name in SHEETS:
        dataset = sheets[name]
        resource = WORKBOOK_RESOURCES[name]()
        sheet = SheetResult(name)
        outcome.sheets.append(sheet)
        # Each sheet writes (in a savepoint) so the next sheets find its rows; this
        # function's transaction is rolled back below unless every sheet is valid.
        sheet.result = resource.import_data(
            dataset, dry_run=False, user=user, file_name=file_name, reason=reason, on_progress=on_progress, sheet=name
        )
    if dry_run or not outcome.valid:
        transaction.set_rollback(True)
    return outcome
