"""Spreadsheet files written by the tests themselves, and what a test compares
before and after an import: the draft and every history table."""

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable

import openpyxl
import tablib

from billingcfg.models import Product
from billingcfg.releases.document import draft_configuration
from billingcfg.sheets.workbook import workbook_read
from tests.factories import configuration_models

# ---- reading and editing workbooks -----------------------------------------------------------


def workbook_cells(data: bytes) -> dict[str, list[dict]]:
    """Every sheet's rows as {column: cell value}, as the import reads them."""
    return {name: dataset.dict for name, dataset in workbook_read(data).items()}


class Sheet:
    """One worksheet of an openpyxl workbook, addressed by column name and row key."""

    def __init__(self, worksheet):
        self.worksheet = worksheet
        self.headers = [cell.value for cell in worksheet[1]]

    def row(self, **key) -> int:
        """The number of the one row whose cells match `key` (row 1 is the headers)."""
        found = [number for number, values in self._rows() if all(values[name] == value for name, value in key.items())]
        assert len(found) == 1, f"{len(found)} rows of {self.worksheet.title} match {key}"
        return found[0]

    def get(self, number: int, column: str):
        return self.worksheet.cell(number, self.headers.index(column) + 1).value

    def set(self, number: int, column: str, value) -> None:
        self.worksheet.cell(number, self.headers.index(column) + 1, value)

    def append(self, **values) -> int:
        unknown = set(values) - set(self.headers)
        assert not unknown, f"{self.worksheet.title} has no column {unknown}"
        self.worksheet.append([values.get(header) for header in self.headers])
        return self.worksheet.max_row

    def _rows(self):
        for number, row in enumerate(self.worksheet.iter_rows(min_row=2, values_only=True), start=2):
            yield number, dict(zip(self.headers, row, strict=False))


def workbook_edited(data: bytes, edit: Callable[[dict[str, Sheet]], None]) -> bytes:
    """The workbook `data` after `edit` changed its sheets (given as {name: Sheet}), saved as a program would."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    edit({name: Sheet(book[name]) for name in book.sheetnames})
    return xlsx_bytes(book)


def xlsx_bytes(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_of(rows: list[list], *, title: str = "Sheet") -> bytes:
    """A one-sheet workbook of `rows` (headers first), as a spreadsheet program saves it."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    return xlsx_bytes(book)


def csv_of(rows: list[list], *, bom: bool = False, line_end: str = "\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator=line_end).writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def json_of(rows: list[list]) -> bytes:
    headers, *body = rows
    return json.dumps([dict(zip(headers, row, strict=True)) for row in body]).encode()


def dataset_of(rows: list[list]) -> tablib.Dataset:
    headers, *body = rows
    return tablib.Dataset(*[tuple(row) for row in body], headers=headers)


def rows_of(dataset: tablib.Dataset) -> list[list]:
    """A dataset as a list of rows, headers first, to edit and write again."""
    return [list(dataset.headers), *(list(row) for row in dataset)]


# ---- what an import must leave alone ---------------------------------------------------------


def table_counts() -> dict[str, int]:
    """Rows in every configuration table and in its history table."""
    counts = {}
    for model in configuration_models():
        counts[model._meta.label] = model.objects.count()
        history = getattr(model, "history", None)
        if history is not None:
            counts[f"{model._meta.label} history"] = history.model.objects.count()
    return counts


def draft_snapshot() -> tuple[dict | None, dict]:
    """The draft's figures (None before there is a policy) and the row count of
    every configuration and history table."""
    try:
        configuration = draft_configuration()
    except Product.DoesNotExist:
        configuration = None
    return configuration, table_counts()


# ---- hostile files ---------------------------------------------------------------------------


def xlsx_parts_edited(data: bytes, edit: Callable[[str, bytes], bytes]) -> bytes:
    """The XLSX `data` with each zip part replaced by `edit(name, content)`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            target.writestr(part.filename, edit(part.filename, source.read(part)))
    return out.getvalue()


def gap_bomb(data: bytes, *, sheet: str, declared: bool = True, row: int = 3000) -> bytes:
    """The workbook `data` with one value in column XFD (the last a spreadsheet has) and
    one in row `row` of `sheet`: a few KB that, read naively, pad out to millions of cells.
    `declared`: the sheet's <dimension> says so (A1:XFD3000), as a program writes it; else
    the file declares no size and only its cells' coordinates tell."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    worksheet = book[sheet]
    worksheet.cell(2, 16_384, "x")
    worksheet.cell(row, 1, "y")
    bomb = xlsx_bytes(book)
    if declared:
        return bomb
    return xlsx_parts_edited(bomb, lambda name, content: re.sub(rb"<dimension [^>]*/>", b"", content))
