"""Benchmark: how fast, and in how much memory, the table import refuses files
built to exhaust it. Reads each file as the admin's XLSX import does
(`formula_xlsx(...).create_dataset`, then the resource's header check); no
database.

    .venv/bin/python bench/hostile_sheets.py [--rows N]

- a credit-rate sheet of N rows (default 200,000; about 7.8 MB) whose headers are
  wrong: refused from row 1;
- the gap bomb: a few KB declaring A1:XFD3000, one value in column XFD, one in
  row 3000: refused from its declared size;
- one without a declared size, whose one value is in row 1,048,576 (the last a
  spreadsheet has): refused from that cell's row.

Prints wall time and the peak of Python allocations (tracemalloc) while reading.
"""

import argparse
import io
import os
import re
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _wrong_headers(rows: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("credit_rates")
    sheet.append(
        ["Model", "Variant", "Meter", "Credits", "Per", "Min", "Allowed", "MinQ", "MaxQ", "DefQ", "Active", "Notes"]
    )
    for n in range(rows):
        sheet.append([f"model-{n}", None, "seconds", n % 97 + 0.5, 1, 0, None, 1, 10, 8, True, f"note {n}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _gap_bomb(*, last_row: int, declared: bool) -> bytes:
    import openpyxl

    from billingcfg.sheets.resources import RESOURCES

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "credit_rates"
    sheet.append(RESOURCES["credit_rates"]().columns())
    if declared:
        sheet.cell(2, 16_384, "x")
    sheet.cell(last_row, 1, "y")
    out = io.BytesIO()
    book.save(out)
    if declared:
        return out.getvalue()
    edited = io.BytesIO()
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(edited, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            target.writestr(part.filename, re.sub(rb"<dimension [^>]*/>", b"", source.read(part)))
    return edited.getvalue()


def _refuse(data: bytes) -> tuple[str, float, float]:
    from billingcfg.admin.sheets import formula_xlsx
    from billingcfg.sheets.resources import RESOURCES
    from billingcfg.sheets.workbook import WorkbookError

    tracemalloc.start()
    started = time.perf_counter()
    try:
        formula_xlsx(RESOURCES["credit_rates"])().create_dataset(data)
        outcome = "read (not refused)"
    except WorkbookError as error:
        outcome = str(error)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return outcome, seconds, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    rows = parser.parse_args().rows
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "billingcfg.settings_test")
    import django

    django.setup()
    cases = [
        (f"{rows:,} rows, wrong headers", _wrong_headers(rows)),
        ("gap bomb, declared A1:XFD3000", _gap_bomb(last_row=3000, declared=True)),
        ("undeclared, a value in row 1,048,576", _gap_bomb(last_row=1_048_576, declared=False)),
    ]
    for name, data in cases:
        outcome, seconds, peak = _refuse(data)
        print(f"{name}: {len(data):,} bytes, refused in {seconds:.2f} s, peak {peak:.1f} MB\n  {outcome[:160]}")


if __name__ == "__main__":
    main()
