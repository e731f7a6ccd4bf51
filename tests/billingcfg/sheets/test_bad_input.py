"""Bad files, generated here: each is refused with a message naming the sheet,
the row, the column and the rule, and nothing is written, not even history.
(UTF-8 with a byte-order mark and Windows line endings is accepted.)"""

import io
import re
import tracemalloc
import zipfile
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from billingcfg.sheets import xlsx
from billingcfg.sheets.preview import sheet_preview
from billingcfg.sheets.resources import RESOURCES
from billingcfg.sheets.workbook import WorkbookError, workbook_export, workbook_import
from rates.models import CreditRate
from tests.admin.pages import admin_url
from tests.billingcfg.sheets.files import (
    Sheet,
    csv_of,
    dataset_of,
    draft_snapshot,
    gap_bomb,
    json_of,
    rows_of,
    workbook_edited,
    xlsx_of,
    xlsx_parts_edited,
)
from tests.factories import staff_in

pytestmark = pytest.mark.django_db

SHEET_LIST = (
    "currencies, exchange_rates, products, meters, providers, price_list_suppliers, models, variants, "
    "provider_costs, credit_rates, workflows, workflow_steps, credit_packs, subscription_plans, alert_thresholds, "
    "threshold_actions"
)
RATE_COLUMNS = (
    "product, model, variant, meter, supplier, credits, per_units, minimum_charge, allowed_quantities, "
    "min_quantity, max_quantity, default_quantity, active, notes"
)


def refused(data: bytes, *, name: str = "bad.xlsx") -> list[str]:
    """What importing the workbook `data` for real reports, having written nothing."""
    before = draft_snapshot()
    try:
        result = workbook_import(data, dry_run=False, file_name=name)
    except WorkbookError as error:
        problems = [str(error)]
    else:
        assert not result.valid
        problems = result.problems()
    assert draft_snapshot() == before, "nothing is written"
    return problems


def edited(edit: Callable[[dict[str, Sheet]], None]) -> bytes:
    return workbook_edited(workbook_export(), edit)


# ---- the file as a whole (the draft's contents do not matter: an empty draft exports its headers) ---------


def test_an_empty_file(db):
    assert refused(b"", name="empty.xlsx") == ["'empty.xlsx' is empty"]


def test_a_file_that_is_not_what_its_extension_says(db):
    assert refused(csv_of([["slug", "name"], ["sora", "Sora"]]), name="prices.xlsx") == [
        "'prices.xlsx' is not an XLSX workbook (an XLSX file is a zip archive; this one is not: save it from the "
        "spreadsheet program as Excel Workbook .xlsx)"
    ]


def test_a_corrupt_workbook(db):
    data = workbook_export()

    assert refused(data[: len(data) // 2], name="cut.xlsx") == [
        "'cut.xlsx' is a damaged XLSX workbook and cannot be read"
    ]


def test_a_zip_archive_that_is_no_workbook(db):
    assert refused(_zip_archive(), name="prices.xlsx") == ["'prices.xlsx' is a zip archive but not an XLSX workbook"]


def test_a_file_over_the_size_limit(db, settings):
    data = workbook_export()
    settings.IMPORT_MAX_BYTES = 1000

    assert refused(data, name="big.xlsx") == [
        f"'big.xlsx' is {len(data):,} bytes; the largest file an import takes is 1,000 bytes (IMPORT_MAX_BYTES)"
    ]


def test_a_workbook_missing_a_sheet(db):
    def drop(sheets):
        book = sheets["meters"].worksheet.parent
        book.remove(book["meters"])

    assert refused(edited(drop)) == [
        f"'bad.xlsx': missing sheet 'meters'. A configuration workbook has the sheets {SHEET_LIST}."
    ]


def test_a_workbook_with_an_unknown_sheet(db):
    def add(sheets):
        sheets["meters"].worksheet.parent.create_sheet("Sheet1")

    assert refused(edited(add)) == [
        f"'bad.xlsx': unknown sheet 'Sheet1'. A configuration workbook has the sheets {SHEET_LIST}."
    ]


def test_a_sheet_without_even_headers(db):
    def empty(sheets):
        meters = sheets["meters"].worksheet
        meters.delete_rows(1, meters.max_row)

    assert refused(edited(empty)) == ["Sheet 'meters' is empty: row 1 must hold the column headers"]


# ---- headers --------------------------------------------------------------------------------------


def test_a_missing_column(db):
    def drop(sheets):
        sheets["credit_rates"].worksheet.delete_cols(6)

    assert refused(edited(drop)) == [
        f"Sheet 'credit_rates', row 1 (headers): missing column 'credits'. The columns are: {RATE_COLUMNS}."
    ]


def test_a_renamed_column(db):
    def rename(sheets):
        sheets["credit_rates"].worksheet["F1"] = "Credits per unit"

    assert refused(edited(rename)) == [
        f"Sheet 'credit_rates', row 1 (headers): missing column 'credits'; unknown column 'Credits per unit'. "
        f"The columns are: {RATE_COLUMNS}."
    ]


def test_a_duplicated_column(db):
    def duplicate(sheets):
        sheets["credit_rates"].worksheet["G1"] = "credits"

    assert refused(edited(duplicate)) == [
        f"Sheet 'credit_rates', row 1 (headers): column 'credits' appears twice; missing column 'per_units'. "
        f"The columns are: {RATE_COLUMNS}."
    ]


def test_values_in_a_column_without_a_header(db):
    def add(sheets):
        sheets["credit_rates"].worksheet.cell(2, 16, "stray")

    assert refused(edited(add)) == [
        "Sheet 'credit_rates', row 2, column P: 'stray' is outside the table: row 1 names its 14 columns, A to N; "
        "delete the value or give its column a header"
    ]


def test_emptied_columns_at_the_end_are_not_columns(db, demo):
    def add(sheets):
        sheets["credit_rates"].worksheet.cell(1, 16, "")
        sheets["credit_rates"].worksheet.cell(3, 17, " ")

    result = workbook_import(edited(add), dry_run=True)

    assert result.valid and not result.changed


# ---- cells: one file with a mistake in each of many rows -------------------------------------------


def _break_cells(sheets):
    costs = sheets["provider_costs"]
    costs.set(costs.row(model="claude-3-5-sonnet", meter="input_tokens"), "price", -3)
    costs.set(costs.row(model="claude-3-5-sonnet", meter="output_tokens"), "price", "=B2*2")
    costs.set(costs.row(model="claude-3-haiku", meter="input_tokens"), "price", "0.123456789")
    costs.set(costs.row(model="claude-3-haiku", meter="output_tokens"), "price", 0.123456789)
    costs.set(costs.row(model="cloud-run", meter="hours"), "price", "3,5")
    costs.set(costs.row(model="gemini-2-5-flash", meter="input_tokens", supplier="google"), "as_of", "31/01/2026")
    rates = sheets["credit_rates"]
    rates.set(rates.row(model="kling-v2-1"), "credits", "ten")
    rates.set(rates.row(model="luma-ray-3"), "meter", "frames")
    rates.set(rates.row(model="minimax-hailuo-02"), "variant", "ultra")
    rates.set(rates.row(model="mochi-1"), "default_quantity", 50)
    rates.set(rates.row(model="sora-2"), "active", "maybe")
    rates.append(product="video", model="veo-3", meter="seconds", credits=9, per_units=1, minimum_charge=0, active=True)
    meters = sheets["meters"]
    meters.append(slug="seconds", name="Seconds again", unit="second", whole_units=False)
    meters.append(slug="@frames", name="Frames", unit="frame", whole_units=True)
    providers = sheets["providers"]
    providers.set(providers.row(slug="anthropic"), "name", '=HYPERLINK("http://x","Anthropic")')
    variants = sheets["variants"]
    variants.set(variants.row(model="luma-ray-3", slug="1080p"), "is_default", True)
    variants.set(variants.row(model="wan-2-1", slug="480p"), "is_default", False)
    products = sheets["products"]
    products.set(products.row(slug="coaching"), "is_default", True)
    products.set(products.row(slug="sora-prompts"), "target_gross_margin_high", 0.5)
    actions = sheets["threshold_actions"]
    actions.set(2, "action", "explode")
    actions.set(3, "switch_to_model", "claude-3-haiku")
    sheets["exchange_rates"].set(2, "to", "CNY")


FORMULA_NAME = "names and keys cannot start with = + - @, a tab or a line break"


def test_every_bad_cell_is_named_by_sheet_row_and_column_and_nothing_is_written(demo):
    assert refused(edited(_break_cells)) == [
        "Sheet 'exchange_rates', row 2, columns 'from', 'to': An exchange rate converts between two different "
        "currencies.",
        "Sheet 'products', row 3, column 'is_default': 2 products would be the default (video, coaching); exactly "
        "one is: set is_default to FALSE for all but one",
        "Sheet 'products', row 4, columns 'target_gross_margin', 'target_gross_margin_high': The high end of the "
        "target range is a fraction below 1, at least the target's low end.",
        "Sheet 'meters', row 13, column 'slug': slug 'seconds': this row appears twice in the sheet, at rows 11 and 13",
        "Sheet 'meters', row 14, column 'slug': '@frames' starts with '@': a spreadsheet would run it as a "
        f"formula; {FORMULA_NAME}",
        "Sheet 'providers', row 2, column 'name': '=HYPERLINK(\"http://x\",\"Anthropic\")' starts with '=': a "
        f"spreadsheet would run it as a formula; {FORMULA_NAME}",
        "Sheet 'variants', row 16, column 'is_default': model 'luma-ray-3' would have 2 default variants "
        "(720p, 1080p); a model has exactly one",
        "Sheet 'variants', row 35, column 'is_default': model 'wan-2-1' would have no default variant; a model "
        "has exactly one: set is_default to TRUE for one of 480p, 720p",
        "Sheet 'provider_costs', row 2, column 'price': Price cannot be negative.",
        "Sheet 'provider_costs', row 3, column 'price': '=B2*2' is a formula; write the number itself (paste values)",
        "Sheet 'provider_costs', row 4, column 'price': Ensure that there are no more than 8 decimal places.",
        "Sheet 'provider_costs', row 5, column 'price': Ensure that there are no more than 8 decimal places.",
        "Sheet 'provider_costs', row 6, column 'price': '3,5' is not a number: write a point before the decimals "
        "and commas only between thousands, e.g. 1,234.5",
        "Sheet 'provider_costs', row 8, column 'as_of': '31/01/2026' is not a date such as 2026-01-31",
        "Sheet 'credit_rates', row 2, column 'credits': 'ten' is not a number",
        "Sheet 'credit_rates', row 3, column 'meter': there is no meter 'frames'",
        "Sheet 'credit_rates', row 4, column 'variant': model 'minimax-hailuo-02' has no variant 'ultra'",
        "Sheet 'credit_rates', row 5, columns 'max_quantity', 'default_quantity': Default quantity cannot be above "
        "the maximum quantity.",
        "Sheet 'credit_rates', row 6, column 'active': 'maybe' is not yes or no; write TRUE or FALSE",
        "Sheet 'credit_rates', row 11: product 'video', model 'veo-3', variant '', meter 'seconds': this row "
        "appears twice in the sheet, at rows 8 and 11",
        "Sheet 'threshold_actions', row 2, column 'action': Value 'explode' is not a valid choice.",
        "Sheet 'threshold_actions', row 3, columns 'action', 'switch_to_model': 'Switch to another model' needs the "
        "model to switch to; other actions take none.",
    ]


# ---- products and suppliers -----------------------------------------------------------------------

PRODUCTS = "the products are: coaching, dev-flows, sora-prompts, video"
SUPPLIERS = (
    "the suppliers are: anthropic, elevenlabs, fal, gateway, google, kling, luma, minimax, openai, replicate and 1 more"
)


def _break_products_and_suppliers(sheets):
    rates = sheets["credit_rates"]
    rates.append(model="veo-3", meter="seconds", credits=9, per_units=1, minimum_charge=0, active=True)
    rates.set(rates.row(model="kling-v2-1"), "product", "podcast")
    rates.set(rates.row(model="luma-ray-3"), "supplier", "acme")
    plans = sheets["subscription_plans"]
    plans.set(2, "product", "")
    costs = sheets["provider_costs"]
    costs.set(costs.row(model="claude-3-5-sonnet", meter="input_tokens"), "supplier", "acme")
    costs.set(costs.row(model="claude-3-5-sonnet", meter="output_tokens"), "supplier", "")
    names = sheets["price_list_suppliers"]
    names.append(pattern="*", supplier="google")
    names.append(pattern="together_ai", supplier="together")


def test_a_row_without_its_product_or_naming_an_unknown_product_or_supplier_is_refused(demo):
    assert refused(edited(_break_products_and_suppliers)) == [
        "Sheet 'price_list_suppliers', row 7, column 'pattern': '*' alone would take every provider's prices as "
        "this supplier's; name the provider (openai) or a prefix ending in * (vertex_ai-*)",
        f"Sheet 'price_list_suppliers', row 8, column 'supplier': there is no supplier 'together'; {SUPPLIERS}",
        f"Sheet 'provider_costs', row 2, column 'supplier': there is no supplier 'acme'; {SUPPLIERS}",
        "Sheet 'provider_costs', row 3, column 'supplier': empty: every provider cost names its supplier (the "
        f"provider it is bought from); {SUPPLIERS}",
        f"Sheet 'credit_rates', row 2, column 'product': there is no product 'podcast'; {PRODUCTS}",
        f"Sheet 'credit_rates', row 3, column 'supplier': there is no supplier 'acme'; {SUPPLIERS}",
        f"Sheet 'credit_rates', row 11, column 'product': empty: every credit rate belongs to a product; {PRODUCTS}",
        f"Sheet 'subscription_plans', row 2, column 'product': empty: every subscription plan belongs to a product; "
        f"{PRODUCTS}",
    ]


def test_a_rate_of_the_same_model_in_two_products_is_two_rows_and_two_defaults_are_refused(demo):
    def second_product(sheets):
        sheets["credit_rates"].append(
            product="coaching", model="veo-3", meter="seconds", credits=90, per_units=1, minimum_charge=0, active=True
        )
        products = sheets["products"]
        products.set(products.row(slug="coaching"), "is_default", True)

    assert refused(edited(second_product)) == [
        "Sheet 'products', row 3, column 'is_default': 2 products would be the default (video, coaching); exactly "
        "one is: set is_default to FALSE for all but one",
    ]


def test_no_default_product_is_refused(demo):
    def none(sheets):
        products = sheets["products"]
        products.set(products.row(slug="video"), "is_default", False)

    assert refused(edited(none)) == [
        "Sheet 'products', row 2, column 'is_default': no product would be the default; exactly one is (the "
        "unscoped API routes serve it): set is_default to TRUE for one of coaching, dev-flows, sora-prompts, video"
    ]


def _zip_archive() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("prices.txt", "sora-2 10")
    return archive.getvalue()


# ---- one table: CSV and JSON through its resource ----------------------------------------------------

RATE_HEADERS = RATE_COLUMNS.split(", ")


def _rates_rows() -> list[list]:
    return rows_of(RESOURCES["credit_rates"]().export())


def test_a_table_with_one_bad_row_writes_none_of_its_good_rows(demo):
    rows = _rates_rows()
    rows[1][5] = "12"  # kling-v2-1: a valid change
    rows[2][5] = "-1"
    before = draft_snapshot()

    result = RESOURCES["credit_rates"]().import_data(dataset_of(rows), dry_run=False, file_name="rates.csv")

    assert sheet_preview("credit_rates", result).messages() == [
        "Sheet 'credit_rates', row 3, column 'credits': Credits must be above 0: a rate never gives usage away."
    ]
    assert draft_snapshot() == before
    assert CreditRate.objects.get(model__slug="kling-v2-1").credits == 8


# ---- the admin's import form ------------------------------------------------------------------------

FORMATS = {"csv": "0", "xlsx": "1", "json": "2"}


def _post(client, *, name: str, data: bytes, fmt: str):
    return client.post(
        admin_url(CreditRate, "import"),
        {"resource": "0", "format": FORMATS[fmt], "import_file": SimpleUploadedFile(name, data)},
    )


@pytest.fixture
def editor_client(client, db):
    client.force_login(staff_in("editor"))
    return client


def _form_refuses(client, *, name: str, data: bytes, fmt: str) -> list[str]:
    before = draft_snapshot()
    response = _post(client, name=name, data=data, fmt=fmt)
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert draft_snapshot() == before
    return response.context["form"].errors["import_file"]


def test_the_import_page_refuses_an_empty_file(editor_client):
    assert _form_refuses(editor_client, name="rates.csv", data=b"", fmt="csv") == ["The submitted file is empty."]


def test_the_import_page_refuses_a_workbook_sent_as_csv(editor_client):
    assert _form_refuses(editor_client, name="rates.csv", data=xlsx_of([RATE_HEADERS]), fmt="csv") == [
        "'rates.csv' is a binary file, not CSV text"
    ]


def test_the_import_page_refuses_csv_sent_as_a_workbook(editor_client):
    assert _form_refuses(editor_client, name="rates.xlsx", data=csv_of([RATE_HEADERS]), fmt="xlsx") == [
        "'rates.xlsx' is not an XLSX workbook (an XLSX file is a zip archive; this one is not: "
        "save it from the spreadsheet program as Excel Workbook .xlsx)"
    ]


def test_the_import_page_refuses_a_damaged_workbook(editor_client):
    data = xlsx_of([RATE_HEADERS])

    assert _form_refuses(editor_client, name="rates.xlsx", data=data[:-200], fmt="xlsx") == [
        "'rates.xlsx' is a damaged XLSX workbook and cannot be read"
    ]
    assert _form_refuses(editor_client, name="rates.xlsx", data=_zip_archive(), fmt="xlsx") == [
        "'rates.xlsx' is a zip archive but not an XLSX workbook"
    ]


def test_the_import_page_refuses_text_that_is_not_utf8(editor_client):
    data = "model,variant\nkling-v2-1,Großartig\n".encode("latin-1")

    assert _form_refuses(editor_client, name="rates.csv", data=data, fmt="csv") == [
        "'rates.csv' is not UTF-8 text (byte 28 cannot be read); save it as CSV UTF-8"
    ]


def test_the_import_page_refuses_json_that_is_not_a_list_of_rows(editor_client):
    assert _form_refuses(editor_client, name="rates.json", data=b'{"model": "kling-v2-1"}', fmt="json") == [
        "'rates.json' is JSON but not a list of rows (objects keyed by column)"
    ]
    assert _form_refuses(editor_client, name="rates.json", data=b'[{"model": ', fmt="json") == [
        "'rates.json' is not JSON: line 1, column 12: Expecting value"
    ]


def test_the_import_page_refuses_a_file_over_the_size_limit(editor_client, settings):
    data = csv_of([RATE_HEADERS])
    settings.IMPORT_MAX_BYTES = 100

    assert _form_refuses(editor_client, name="rates.csv", data=data, fmt="csv") == [
        f"'rates.csv' is {len(data):,} bytes; the largest file an import takes is 100 bytes (IMPORT_MAX_BYTES)"
    ]


def _preview(client, *, name: str, data: bytes, fmt: str):
    response = _post(client, name=name, data=data, fmt=fmt)
    assert response.status_code == 200, response.content[:500]
    assert not response.context["form"].errors
    return response.context["preview"], response


def test_the_import_page_names_a_renamed_column_and_offers_no_confirmation(editor_client):
    headers = [*RATE_HEADERS]
    headers[11] = "default"

    row = ["video", "kling-v2-1", "", "seconds", "", "8", "1", "0", "", "1", "10", "8", "TRUE", ""]

    preview, response = _preview(editor_client, name="rates.csv", data=csv_of([headers, row]), fmt="csv")

    assert preview.messages() == [
        f"Sheet 'credit_rates', row 1 (headers): missing column 'default_quantity'; unknown column 'default'. "
        f"The columns are: {RATE_COLUMNS}."
    ]
    assert "confirm_form" not in response.context
    assert "Nothing can be imported from this file" in response.content.decode()


def test_utf8_with_a_byte_order_mark_and_windows_line_endings_is_accepted(editor_client, demo):
    rows = _rates_rows()
    rows[1][5] = "9"
    data = csv_of(rows, bom=True, line_end="\r\n")
    assert data.startswith(b"\xef\xbb\xbfproduct,model,") and b"\r\n" in data

    preview, response = _preview(editor_client, name="rates.csv", data=data, fmt="csv")

    assert preview.messages() == []
    assert (preview.new, preview.changed, preview.unchanged, preview.invalid) == (0, 1, 8, 0)
    assert [(row.key, row.changes) for row in preview.changed_rows] == [
        ("video / kling-v2-1 / — / seconds", [("credits", "8", "9")])
    ]
    assert "confirm_form" in response.context


# ---- the workbook page's upload ----------------------------------------------------------------------


def _workbook_upload_refuses(client, *, name: str, data: bytes) -> list[str]:
    before = draft_snapshot()
    response = client.post(reverse("workbook"), {"workbook": SimpleUploadedFile(name, data)})
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert draft_snapshot() == before
    return response.context["upload_form"].errors["workbook"]


def test_the_workbook_page_refuses_files_that_are_no_workbook(editor_client, settings):
    assert _workbook_upload_refuses(editor_client, name="c.xlsx", data=b"") == ["The submitted file is empty."]
    assert _workbook_upload_refuses(editor_client, name="c.xlsx", data=b"a,b\r\n1,2\r\n") == [
        "'c.xlsx' is not an XLSX workbook (an XLSX file is a zip archive; this one is not: "
        "save it from the spreadsheet program as Excel Workbook .xlsx)"
    ]
    assert _workbook_upload_refuses(editor_client, name="c.xlsx", data=_zip_archive()) == [
        "'c.xlsx' is a zip archive but not an XLSX workbook"
    ]
    assert _workbook_upload_refuses(editor_client, name="c.xlsx", data=xlsx_of([["slug"], ["x"]])) == [
        "'c.xlsx': missing sheet " + ", ".join(f"'{name}'" for name in SHEET_LIST.split(", ")) + "; unknown sheet "
        f"'Sheet'. A configuration workbook has the sheets {SHEET_LIST}."
    ]
    data = workbook_export()
    settings.IMPORT_MAX_BYTES = 1000
    assert _workbook_upload_refuses(editor_client, name="c.xlsx", data=data) == [
        f"'c.xlsx' is {len(data):,} bytes; the largest file an import takes is 1,000 bytes (IMPORT_MAX_BYTES)"
    ]


def test_the_workbook_page_reads_each_part_of_an_upload_once(editor_client, monkeypatch):
    """The archive is scanned by the preview alone, not by the upload form first."""
    read = []
    scan = xlsx._part_problem
    monkeypatch.setattr(xlsx, "_part_problem", lambda archive, part: read.append(part.filename) or scan(archive, part))
    data = workbook_export()

    response = editor_client.post(reverse("workbook"), {"workbook": SimpleUploadedFile("c.xlsx", data)})

    assert "confirm_form" in response.context
    assert sorted(read) == sorted(zipfile.ZipFile(io.BytesIO(data)).namelist())


# ---- hostile files: sizes that are not what the file weighs --------------------------------------------

MB = 2**20
SIZE_LIMIT = "a sheet of this table holds at most 100,000 rows × 14 columns (1,400,000 cells; IMPORT_MAX_ROWS)"


def refused_measuring_memory(data: bytes) -> tuple[list[str], int]:
    """The workbook import's problems with `data`, and the peak memory it allocated reading it."""
    tracemalloc.start()
    try:
        problems = refused(data)
        return problems, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_sheet_declaring_millions_of_cells_is_refused_before_a_row_is_read(db):
    """4.7 KB declaring A1:XFD3000 grew a worker by ~400 MB: read-only openpyxl pads every row to the
    declared width and the reader padded again to the headers'. Now refused from its declared size."""
    bomb = gap_bomb(workbook_export(), sheet="credit_rates")
    assert len(bomb) < 20_000
    problems, peak = refused_measuring_memory(bomb)

    assert problems == [
        f"Sheet 'credit_rates' is 3,000 rows × 16,384 columns (49,152,000 cells) as its file declares it; {SIZE_LIMIT}"
    ]
    assert peak < 50 * MB, f"reading the file took {peak / MB:.0f} MB"


def test_a_value_far_beyond_the_headers_is_refused_without_padding_up_to_it(db):
    bomb = gap_bomb(workbook_export(), sheet="credit_rates", declared=False)
    problems, peak = refused_measuring_memory(bomb)

    assert problems == [
        "Sheet 'credit_rates', row 2, column XFD: 'x' is outside the table: row 1 names its 14 "
        "columns, A to N; delete the value or give its column a header"
    ]
    assert peak < 50 * MB, f"reading the file took {peak / MB:.0f} MB"


def test_a_cell_beyond_the_most_rows_a_sheet_may_have_is_refused_by_its_row(db, settings):
    settings.IMPORT_MAX_ROWS = 1000
    bomb = xlsx_parts_edited(
        edited(lambda sheets: sheets["credit_rates"].worksheet.cell(5000, 1, "y")),
        lambda name, content: re.sub(rb"<dimension [^>]*/>", b"", content),
    )

    assert refused(bomb) == [
        "Sheet 'credit_rates' has a cell in row 5,000; a sheet of this table holds at most "
        "1,000 rows × 14 columns (14,000 cells; IMPORT_MAX_ROWS)"
    ]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_csv_and_json_are_held_to_the_same_number_of_rows(editor_client, demo, settings, fmt):
    settings.IMPORT_MAX_ROWS = 5
    rows = _rates_rows()

    preview, _ = _preview(editor_client, name=f"rates.{fmt}", data=(csv_of if fmt == "csv" else json_of)(rows), fmt=fmt)

    assert preview.messages() == [
        "Sheet 'credit_rates' has 10 rows; a sheet of this table holds at most 5 rows × "
        "14 columns (70 cells; IMPORT_MAX_ROWS)"
    ]


def test_a_zip_bomb_is_refused_from_the_archive_directory(db, settings):
    settings.IMPORT_MAX_BYTES = 20_000
    bomb = _with_part(xlsx_of([RATE_HEADERS]), "xl/media/padding.bin", bytes(2 * MB))
    assert len(bomb) < 20_000
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        unpacked = sum(part.file_size for part in archive.infolist())

    assert refused(bomb, name="bomb.xlsx") == [
        f"'bomb.xlsx' unpacks to {unpacked:,} bytes; an XLSX workbook may unpack to at most 320,000 bytes "
        "(16 × IMPORT_MAX_BYTES)"
    ]


# ---- hostile files: XML that declares a DTD or entities (refused, never resolved) -----------------------

LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10) for n in range(1, 10))
    + b"]>"
)
EXTERNAL = b'<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
PARTS = ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml"]


def _with_part(data: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            if part.filename != name:
                target.writestr(part.filename, source.read(part))
        target.writestr(name, content)
    return out.getvalue()


def _with_dtd(data: bytes, part: str, dtd: bytes) -> bytes:
    """The XLSX `data` with `dtd` declared in `part` (an entity used in a cell when the part is the sheet)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        xml = (
            archive.read(part)
            if part in names
            else (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>x</t></si></sst>'
            )
        )
    if xml.startswith(b"<?xml"):
        end = xml.index(b"?>") + 2
        xml = xml[:end] + dtd + xml[end:]
    else:
        xml = dtd + xml
    entity = b"&lol9;" if dtd == LAUGHS else b"&secret;"
    xml = xml.replace(b"<t>notes</t>", b"<t>notes" + entity + b"</t>", 1)
    return _with_part(data, part, xml)


DTD_REFUSED = (
    "declares a DTD (<!DOCTYPE …>), which could make a reader fetch files or expand without end; such "
    "a file is refused, not read"
)


@pytest.mark.parametrize("dtd", [LAUGHS, EXTERNAL], ids=["billion-laughs", "external-entity"])
@pytest.mark.parametrize("part", PARTS)
def test_a_workbook_whose_xml_declares_a_dtd_is_refused(db, part, dtd):
    sheet = "xl/worksheets/sheet10.xml" if part == "xl/worksheets/sheet1.xml" else part  # credit_rates
    bomb = _with_dtd(workbook_export(), sheet, dtd)

    assert refused(bomb) == [f"'bad.xlsx': part {sheet} {DTD_REFUSED}"]


def test_xml_in_utf16_which_would_hide_a_dtd_from_the_scan_is_refused(db):
    data = workbook_export()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet10.xml").decode()
    bomb = _with_part(data, "xl/worksheets/sheet10.xml", sheet.encode("utf-16"))

    assert refused(bomb) == [
        "'bad.xlsx': part xl/worksheets/sheet10.xml is XML in UTF-16 or UTF-32, which "
        "spreadsheet programs do not write; such a file is refused, not read"
    ]


def test_the_table_import_page_refuses_a_dtd(editor_client):
    bomb = _with_dtd(xlsx_of([RATE_HEADERS]), "xl/worksheets/sheet1.xml", EXTERNAL)

    assert _form_refuses(editor_client, name="rates.xlsx", data=bomb, fmt="xlsx") == [
        f"'rates.xlsx': part xl/worksheets/sheet1.xml {DTD_REFUSED}"
    ]


def test_the_workbook_page_refuses_a_dtd(editor_client):
    bomb = _with_dtd(workbook_export(), "xl/sharedStrings.xml", LAUGHS)

    assert _workbook_upload_refuses(editor_client, name="c.xlsx", data=bomb) == [
        f"'c.xlsx': part xl/sharedStrings.xml {DTD_REFUSED}"
    ]


def test_import_workbook_refuses_a_dtd_without_a_traceback(db, tmp_path):
    path = tmp_path / "c.xlsx"
    path.write_bytes(_with_dtd(workbook_export(), "xl/worksheets/sheet10.xml", LAUGHS))
    before = draft_snapshot()

    with pytest.raises(CommandError) as failed:
        call_command("import_workbook", str(path))

    assert str(failed.value) == f"Nothing was imported: 'c.xlsx': part xl/worksheets/sheet10.xml {DTD_REFUSED}"
    assert draft_snapshot() == before


def test_the_table_import_page_refuses_a_sheet_declaring_millions_of_cells(editor_client):
    bomb = gap_bomb(xlsx_of([RATE_HEADERS], title="credit_rates"), sheet="credit_rates")

    assert _form_refuses(editor_client, name="rates.xlsx", data=bomb, fmt="xlsx") == [
        f"Sheet 'credit_rates' is 3,000 rows × 16,384 columns (49,152,000 cells) as its file declares it; {SIZE_LIMIT}"
    ]


def test_the_table_import_page_checks_the_headers_before_reading_the_rows(editor_client):
    """The headers are read from row 1 and refused before any other row is read: a value far
    beyond the table in row 3 is never reached."""
    rows = [[RATE_HEADERS[0], "Model", *RATE_HEADERS[2:]], ["video", "kling-v2-1"]]
    data = xlsx_parts_edited(
        xlsx_of(rows, title="credit_rates"),
        lambda name, content: content.replace(
            b"</sheetData>", b'<row r="3"><c r="XFD3" t="inlineStr"><is><t>far</t></is></c></row></sheetData>'
        ),
    )

    assert _form_refuses(editor_client, name="rates.xlsx", data=data, fmt="xlsx") == [
        f"Sheet 'credit_rates', row 1 (headers): missing column 'model'; unknown column 'Model'. "
        f"The columns are: {RATE_COLUMNS}."
    ]


# ---- hostile cells --------------------------------------------------------------------------------

NUL_REFUSED = "contains a NUL character (byte 0) at position 5; text cannot hold one"


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_nul_in_a_text_cell_past_the_first_4_kb_is_refused_naming_row_and_column(editor_client, demo, fmt):
    """On PostgreSQL the preview said '1 changed' and Confirm answered 500; SQLite stored it."""
    rows = _rates_rows()
    rows[1][13] = "x" * 5000
    rows[2][13] = "Fast\x00 lane"
    data = csv_of(rows) if fmt == "csv" else json_of(rows)
    assert data.index(b"\x00" if fmt == "csv" else b"\\u0000") > 4096

    preview, response = _preview(editor_client, name=f"rates.{fmt}", data=data, fmt=fmt)

    assert preview.messages() == [f"Sheet 'credit_rates', row 3, column 'notes': {NUL_REFUSED}"]
    assert "confirm_form" not in response.context


@pytest.mark.parametrize("dry_run", [True, False], ids=["preview", "confirm"])
def test_the_preview_and_the_confirmation_refuse_a_nul_alike(demo, dry_run):
    rows = _rates_rows()
    rows[2][1] = "luma\x00ray-3"
    before = draft_snapshot()

    result = RESOURCES["credit_rates"]().import_data(dataset_of(rows), dry_run=dry_run, file_name="rates.csv")

    assert sheet_preview("credit_rates", result).messages() == [
        "Sheet 'credit_rates', row 3, column 'model': contains a NUL character (byte 0) at position 5; text cannot "
        "hold one"
    ]
    assert draft_snapshot() == before


def test_a_nul_in_a_workbook_cell_is_refused_as_xml_no_spreadsheet_writes(db):
    bomb = xlsx_parts_edited(
        workbook_export(),
        lambda name, content: (
            content.replace(b"<t>notes</t>", b"<t>no&#0;tes</t>") if name == "xl/worksheets/sheet10.xml" else content
        ),
    )

    assert refused(bomb) == [
        "Sheet 'credit_rates' is damaged and cannot be read (reference to invalid character number: line 1, column 1074)"
    ]


def test_json_nested_5000_deep_is_refused_not_recursed_into(editor_client):
    data = b"[" * 5000 + b"]" * 5000

    problems = _form_refuses(editor_client, name="rates.json", data=data, fmt="json")

    assert problems == [
        "'rates.json' is not JSON: line 1, column 65: lists and objects nested more than 64 deep (the most this reads)"
    ]


def test_a_csv_of_100000_columns_is_refused_in_a_line(editor_client):
    data = csv_of([[f"c{n}" for n in range(100_000)], ["x"] * 100_000])
    assert len(data) > 800_000

    preview, response = _preview(editor_client, name="wide.csv", data=data, fmt="csv")

    assert preview.messages() == [
        f"Sheet 'credit_rates', row 1 (headers): missing column {', '.join(repr(c) for c in RATE_HEADERS)}; "
        "unknown column 'c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9' and 99,990 more. "
        f"The columns are: {RATE_COLUMNS}."
    ]
    assert len(response.content) < 100_000


def test_an_import_page_shows_the_first_100_problems_and_counts_the_rest(editor_client, demo):
    rows = _rates_rows()
    rows += [
        ["video", f"model-{n}", "", "seconds", "", "8", "1", "0", "", "1", "10", "8", "TRUE", ""] for n in range(150)
    ]

    preview, response = _preview(editor_client, name="rates.csv", data=csv_of(rows), fmt="csv")

    assert (preview.invalid, preview.problem_count, len(preview.problems)) == (150, 150, 100)
    assert preview.problems[-1].message == "there is no AI model 'model-99'"
    page = response.content.decode()
    assert page.count('<li class="problem">') == 100
    assert "… and 50 more problems." in page
