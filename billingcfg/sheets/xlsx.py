"""Reading an XLSX file that nobody vouches for, with memory bounded by the
table it fills rather than by what the file claims.

- The zip archive: its parts may unpack to at most UNZIPPED_RATIO × IMPORT_MAX_BYTES
  (a zip bomb is refused from its directory, before anything is inflated), and no
  XML part may declare a DTD or an entity (refused, never resolved: billion laughs,
  external entities), nor be in UTF-16 or UTF-32, which would hide such a
  declaration from the byte scan.
- A sheet: its declared size (`<dimension ref="A1:XFD3000"/>`) over IMPORT_MAX_ROWS
  rows of its table's columns is refused before a row is read; row 1 (the headers)
  is checked before the rest; then rows are streamed cell by cell, by their
  coordinates, never padded beyond the table's own columns. A value in a column
  without a header is refused; empty cells there are ignored (spreadsheet
  programs keep emptied and formatted cells).
"""

import io
import zipfile
import zlib
from xml.etree.ElementTree import ParseError

import tablib
from django.conf import settings
from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import CELL_TAG, DATA_TAG, DIMENSION_TAG, ROW_TAG, WorkSheetParser
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from billingcfg.sheets import cells

ZIP_MAGIC = b"PK\x03\x04"
# Compressed XML inflates about 11 times (a 7.8 MB sheet of 200,000 rows unpacks to 85 MB).
UNZIPPED_RATIO = 16
MAX_PARTS = 10_000
# What a spreadsheet program can address: column XFD, row 1,048,576.
MAX_COLUMNS = 16_384
# XML elements within one cell (a value, a formula, rich-text runs).
MAX_CELL_ELEMENTS = 1_000
STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"
FORBIDDEN = (b"<!doctype", b"<!entity")
WIDE_ENCODINGS = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<", b"\x00\x00\xfe\xff", b"\x00\x00\x00<")
CHUNK = 1 << 16
# Everything reading a damaged archive or its XML may raise.
DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    IndexError,
    OSError,
    ValueError,
    TypeError,
    NotImplementedError,
    RuntimeError,
    OverflowError,
    ParseError,
)


class WorkbookError(ValueError):
    """The file as a whole cannot be imported; says why, naming the sheet where there is one."""


def damaged(name: str, error=None) -> str:
    why = f" ({error})" if error else ""
    return f"'{name}' is a damaged XLSX workbook and cannot be read{why}"


def xlsx_problem(data: bytes, *, name: str) -> str | None:
    """Why the bytes are not an XLSX workbook this reads, or None: not a zip archive,
    damaged, no workbook inside, unpacking to too much, or XML with a DTD or an entity."""
    if not data.startswith(ZIP_MAGIC):
        return (
            f"'{name}' is not an XLSX workbook (an XLSX file is a zip archive; this one is not: "
            "save it from the spreadsheet program as Excel Workbook .xlsx)"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            if "xl/workbook.xml" not in {part.filename for part in parts}:
                return f"'{name}' is a zip archive but not an XLSX workbook"
            if len(parts) > MAX_PARTS:
                return f"'{name}' holds {len(parts):,} parts; an XLSX workbook this reads holds at most {MAX_PARTS:,}"
            unzipped, limit = sum(part.file_size for part in parts), UNZIPPED_RATIO * settings.IMPORT_MAX_BYTES
            if unzipped > limit:
                return (
                    f"'{name}' unpacks to {unzipped:,} bytes; an XLSX workbook may unpack to at most "
                    f"{limit:,} bytes ({UNZIPPED_RATIO} × IMPORT_MAX_BYTES)"
                )
            for part in parts:
                problem = _part_problem(archive, part)
                if problem:
                    return f"'{name}': part {part.filename} {problem}; such a file is refused, not read"
    except DAMAGED:
        return damaged(name)
    return None


def _part_problem(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> str | None:
    """Reads the part once, in chunks (zipfile stops at its declared size)."""
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK):
            if not tail and chunk.startswith(WIDE_ENCODINGS):
                return "is XML in UTF-16 or UTF-32, which spreadsheet programs do not write"
            window = (tail + chunk).lower()
            for declaration in FORBIDDEN:
                if declaration in window:
                    kind = "a DTD (<!DOCTYPE" if declaration == FORBIDDEN[0] else "an entity (<!ENTITY"
                    return f"declares {kind} …>), which could make a reader fetch files or expand without end"
            tail = window[-len(FORBIDDEN[0]) :]
    return None


def open_workbook(data: bytes, *, name: str):
    """The workbook in `data`, read-only, formulas read as formulas, not as the value a
    program last computed (which may be stale or absent): a resource refuses a formula
    cell by name. Checked by `xlsx_problem` first."""
    problem = xlsx_problem(data, name=name)
    if problem:
        raise WorkbookError(problem)
    try:
        reader = _Reader(io.BytesIO(data), read_only=True, data_only=False)
        reader.read()
    except DAMAGED as error:
        raise WorkbookError(damaged(name, error)) from None
    return reader.wb


class _Reader(ExcelReader):
    """openpyxl's reader, with the shared strings read as cells ask for them: the
    headers are checked having read their few strings, not the whole table's."""

    def read_strings(self):
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            self.shared_strings = SharedStrings(self.archive, part.PartName[1:])

    def read_worksheets(self):
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files:
                continue
            if "chartsheet" in rel.Type:
                self.read_chartsheet(sheet, rel)
                continue
            worksheet = _Worksheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)


class _Worksheet(ReadOnlyWorksheet):
    """A read-only sheet whose declared size is looked for before its cells only
    (openpyxl reads every cell looking for it when a file declares none)."""

    def _get_size(self):
        with self._get_source() as source:
            for _event, element in iterparse(source, events=("start",)):
                if element.tag == DIMENSION_TAG:
                    self._min_column, self._min_row, self._max_column, self._max_row = range_boundaries(
                        element.get("ref", "")
                    )
                    return
                if element.tag == DATA_TAG:
                    return


class SharedStrings:
    """A workbook's table of strings, read from its XML only as far as the highest
    index asked for, each element dropped once read."""

    def __init__(self, archive: zipfile.ZipFile, path: str):
        self._strings: list[str] = []
        self._events = self._read(archive, path)

    def __getitem__(self, index: int) -> str:
        if index < 0:
            raise IndexError(f"shared string {index}")
        while len(self._strings) <= index:
            if next(self._events, None) is None:
                raise IndexError(f"shared string {index} of {len(self._strings)}")
        return self._strings[index]

    def _read(self, archive: zipfile.ZipFile, path: str):
        with archive.open(path) as source:
            open_elements, in_string = [], 0
            for event, element in iterparse(source, events=("start", "end")):
                if event == "start":
                    open_elements.append(element)
                    in_string += bool(in_string) or element.tag == STRING_TAG
                    if in_string > MAX_CELL_ELEMENTS:
                        raise WorkbookError(
                            f"the shared string {len(self._strings):,} holds more than "
                            f"{MAX_CELL_ELEMENTS:,} XML elements"
                        )
                    continue
                open_elements.pop()
                if element.tag == STRING_TAG:
                    in_string = 0
                    self._strings.append(Text.from_tree(element).content.replace("x005F_", ""))
                    yield True
                if not in_string and open_elements:
                    open_elements[-1].remove(element)


def sheet_dataset(sheet, *, resource, name: str) -> tablib.Dataset:
    """The sheet's rows as a dataset for `resource`'s table: row 1 the headers, blank
    rows at the end dropped, blank rows between kept (so row numbers stay the sheet's).
    When the headers do not fit the table, the dataset holds them and no row: the
    rest is not read, and the resource names what is wrong."""
    width = len(resource.columns())
    max_rows = settings.IMPORT_MAX_ROWS
    rows, columns = sheet.max_row, sheet.max_column
    if rows and columns and rows * columns > max_rows * width:
        raise WorkbookError(
            f"Sheet '{name}' is {rows:,} rows × {columns:,} columns ({rows * columns:,} cells) as "
            f"its file declares it; {most_cells(width, max_rows)}"
        )
    try:
        return _read(_cells(sheet), resource=resource, name=name, width=width, max_rows=max_rows)
    except DAMAGED as error:
        if isinstance(error, WorkbookError):
            raise
        raise WorkbookError(f"Sheet '{name}' is damaged and cannot be read ({error})") from None


def most_cells(width: int, max_rows: int) -> str:
    return (
        f"a sheet of this table holds at most {max_rows:,} rows × {width:,} columns ({max_rows * width:,} "
        "cells; IMPORT_MAX_ROWS)"
    )


def _read(found, *, resource, name: str, width: int, max_rows: int) -> tablib.Dataset:
    from billingcfg.sheets.resources import SheetError

    dataset, headers, checked = None, None, False
    number, values, kept = 0, {}, 1  # the row being read, its cells by column, the last row kept

    def finish() -> None:
        nonlocal dataset, headers, kept
        if number == 1:
            headers = [values.get(column) for column in range(1, max(values, default=0) + 1)]
            while headers and cells.display(headers[-1]) == "":
                headers.pop()
            dataset = tablib.Dataset(headers=headers)
            return
        row = [values.get(column) for column in range(1, width + 1)]
        if all(cells.display(value) == "" for value in row):
            return
        for _ in range(kept + 1, number):
            dataset.append([None] * width)
        dataset.append(row)
        kept = number

    for row_number, column, value in found:
        if row_number != number:
            if row_number < number:
                raise WorkbookError(f"Sheet '{name}' is damaged: row {row_number:,} comes after row {number:,}")
            if number:
                finish()
            if not checked and row_number > 1:
                # Row 1 is complete (or missing): the headers are checked before any other row is read.
                checked = True
                if headers is None:
                    headers, dataset = [], tablib.Dataset()
                try:
                    resource.check_headers(headers)
                except SheetError:
                    return dataset
                width = len(headers)
            if row_number > max_rows:
                raise WorkbookError(f"Sheet '{name}' has a cell in row {row_number:,}; {most_cells(width, max_rows)}")
            number, values = row_number, {}
        if column > MAX_COLUMNS:
            raise WorkbookError(
                f"Sheet '{name}' is damaged: a cell in row {row_number:,} is beyond column "
                f"{get_column_letter(MAX_COLUMNS)}"
            )
        if number == 1 or column <= width:
            values[column] = value
        elif cells.display(value) != "":
            raise WorkbookError(
                f"Sheet '{name}', row {number:,}, column {get_column_letter(column)}: '{cells.display(value)}' is "
                f"outside the table: row 1 names its {width} columns, A to {get_column_letter(width)}; delete the "
                "value or give its column a header"
            )
    if number:
        finish()
    if dataset is None or (not headers and not len(dataset)):
        raise WorkbookError(f"Sheet '{name}' is empty: row 1 must hold the column headers")
    return dataset


def _cells(sheet):
    """(row, column, value) of every cell the sheet's XML holds, in the file's order,
    each XML element dropped once read, so memory holds one cell at a time."""
    book = sheet.parent
    parser = WorkSheetParser(
        None,
        sheet._shared_strings,
        data_only=False,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )
    with sheet._get_source() as source:
        open_elements, in_cell = [], 0
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                open_elements.append(element)
                if in_cell:
                    in_cell += 1
                    if in_cell > MAX_CELL_ELEMENTS:
                        raise WorkbookError(
                            f"Sheet '{sheet.title}' is damaged: a cell in row {parser.row_counter:,} "
                            f"holds more than {MAX_CELL_ELEMENTS:,} XML elements"
                        )
                elif element.tag == CELL_TAG:
                    in_cell = 1
                elif element.tag == ROW_TAG:
                    parser.row_counter = int(float(element.get("r"))) if element.get("r") else parser.row_counter + 1
                    parser.col_counter = 0
                continue
            open_elements.pop()
            if element.tag == CELL_TAG:
                in_cell = 0
                cell = parser.parse_cell(element)
                yield cell["row"], cell["column"], cell["value"]
            if not in_cell and open_elements:
                open_elements[-1].remove(element)
