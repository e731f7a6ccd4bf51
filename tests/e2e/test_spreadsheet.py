"""Credit rates out to a spreadsheet and back: export XLSX from the list, change one
rate's credits in the file, import it, read the preview, confirm, see it stored."""

from decimal import Decimal

import openpyxl
from playwright.sync_api import expect

MODEL, MODEL_NAME = "sora-2-pro", "Sora 2 Pro"


def _column(sheet, name: str) -> int:
    header = [cell.value for cell in sheet[1]]
    return header.index(name) + 1


def test_credit_rates_round_trip_through_an_xlsx_file(open_session, publisher, demo_release, shot, tmp_path):
    from rates.models import CreditRate

    rates = CreditRate.objects.count()
    rate = CreditRate.objects.get(model__slug=MODEL, variant=None, meter__slug="seconds")
    old = rate.credits.normalize()
    new = old + 7

    page = open_session(publisher)
    page.goto("/admin/rates/creditrate/")
    expect(page.get_by_role("heading", name="Select credit rate to change")).to_be_visible()
    shot(page, "credit-rates")

    page.get_by_role("link", name="Export").click()
    page.get_by_label("Format").select_option(label="xlsx")
    shot(page, "export-form")
    with page.expect_download() as download:
        page.get_by_role("button", name="Submit").click()
    exported = tmp_path / download.value.suggested_filename
    download.value.save_as(exported)
    assert exported.suffix == ".xlsx"

    book = openpyxl.load_workbook(exported)
    sheet = book.worksheets[0]
    model_col, variant_col, meter_col = _column(sheet, "model"), _column(sheet, "variant"), _column(sheet, "meter")
    credits_col = _column(sheet, "credits")
    found = [
        row
        for row in range(2, sheet.max_row + 1)
        if sheet.cell(row, model_col).value == MODEL
        and not sheet.cell(row, variant_col).value
        and sheet.cell(row, meter_col).value == "seconds"
    ]
    assert len(found) == 1, f"one {MODEL} row for all variants in the export, found rows {found}"
    assert sheet.max_row - 1 == rates
    assert Decimal(str(sheet.cell(found[0], credits_col).value)) == old
    sheet.cell(found[0], credits_col).value = int(new)
    edited = tmp_path / f"edited-{exported.name}"
    book.save(edited)

    page.goto("/admin/rates/creditrate/")
    page.get_by_role("link", name="Import").click()
    page.get_by_label("File to import").set_input_files(edited)
    formats = page.get_by_label("Format")
    if formats.count():
        formats.select_option(label="xlsx")
    shot(page, "import-form")
    page.get_by_role("button", name="Submit").click()

    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    counts = page.locator("#sheet-counts tbody tr")
    expect(counts).to_have_count(1)
    expect(counts.locator("td.changed")).to_have_text("1")
    expect(counts.locator("td.unchanged")).to_have_text(str(rates - 1))
    changes = page.locator("table.sheet-changes tbody tr")
    expect(changes).to_have_count(1)
    expect(changes.locator("td").nth(2)).to_have_text("credits")
    expect(changes.locator("td.old")).to_have_text(f"{old:f}")
    expect(changes.locator("td.new")).to_have_text(f"{new:f}")
    expect(changes).to_contain_text(MODEL)
    shot(page, "import-preview")
    rate.refresh_from_db()
    assert rate.credits == old, "the preview wrote to the draft"

    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator("ul.messagelist .success")).to_contain_text("Import finished: 0 new, 1 updated")
    # The list leads with the product; the model is a cell of its own.
    row = page.locator("#result_list tbody tr").filter(has=page.get_by_role("cell", name=MODEL_NAME, exact=True))
    expect(row.locator("td.field-credits")).to_have_text(f"{new:f}")
    shot(page, "imported")
    rate.refresh_from_db()
    assert rate.credits == new
