"""Spreadsheets in the admin, through Django's test client as an ops person uses
them: export a table, edit it, import it back through a preview, confirm; and
the same for the whole configuration on the workbook page."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billingcfg.core.uploads import upload_forget
from billingcfg.sheets.resources import RESOURCES
from billingcfg.sheets.workbook import workbook_export
from rates.models import CreditRate, Meter, Provider, ProviderCost
from tests.admin.pages import admin_url
from tests.billingcfg.sheets.files import (
    csv_of,
    draft_snapshot,
    json_of,
    rows_of,
    workbook_cells,
    workbook_edited,
    xlsx_bytes,
    xlsx_of,
)
from tests.factories import staff_in

pytestmark = pytest.mark.django_db

IMPORT_FORMATS = {"csv": "0", "xlsx": "1", "json": "2"}  # SheetAdminMixin.get_import_formats
EXPORT_FORMATS = {"csv": "0", "xlsx": "1", "json": "2"}  # SheetAdminMixin.formats


@pytest.fixture
def editor(db):
    return staff_in("editor")


@pytest.fixture
def as_editor(client, editor, demo):
    client.force_login(editor)
    return client


@pytest.fixture
def as_viewer(client, demo):
    client.force_login(staff_in("viewer"))
    return client


def _import(client, model, *, name: str, data: bytes, fmt: str):
    return client.post(
        admin_url(model, "import"),
        {"resource": "0", "format": IMPORT_FORMATS[fmt], "import_file": SimpleUploadedFile(name, data)},
    )


def _export(client, model, fmt: str):
    form = client.get(admin_url(model, "export")).context["form"]
    columns = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    return client.post(admin_url(model, "export"), {"resource": "0", "format": EXPORT_FORMATS[fmt], **columns})


def _html(response) -> str:
    return response.content.decode()


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# ---- one table: the credit rates ------------------------------------------------------------------


def test_the_credit_rates_list_offers_import_and_export_to_an_editor(as_editor):
    page = _html(as_editor.get(admin_url(CreditRate, "changelist")))

    assert f"href='{admin_url(CreditRate, 'import')}' class=\"import_link\">Import</a>" in page
    assert f'href="{admin_url(CreditRate, "export")}?" class="export_link">Export</a>' in page


def test_exporting_the_credit_rates_as_xlsx_gives_a_workbook_keyed_by_slugs(as_editor):
    response = _export(as_editor, CreditRate, "xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "product",
        "model",
        "variant",
        "meter",
        "supplier",
        "credits",
        "per_units",
        "minimum_charge",
        "allowed_quantities",
        "min_quantity",
        "max_quantity",
        "default_quantity",
        "active",
        "notes",
    )
    assert rows[1] == ("video", "kling-v2-1", None, "seconds", None, 8, 1, 0, None, 1, 10, 8, True, None)
    assert ("video", "wan-2-1", "720p", "seconds", None, 5, 1, 0, None, 1, 10, 8, True, None) in rows
    assert len(rows) == 10


def _exported_rates(client) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(_export(client, CreditRate, "xlsx").content))


def test_an_edited_export_previews_its_changes_and_is_written_only_when_confirmed(as_editor, editor):
    book = _exported_rates(as_editor)
    sheet = book.active
    sheet["F2"] = 9.5  # kling-v2-1 credits, 8 before
    sheet["N2"] = "Raised with the January prices"
    sheet.append(["video", "mochi-1", None, "hours", None, 100, 1, 0, None, None, None, None, True, None])
    before = draft_snapshot()

    preview = _import(as_editor, CreditRate, name="rates.xlsx", data=xlsx_bytes(book), fmt="xlsx")

    assert preview.status_code == 200
    page = _html(preview)
    counts = re.search(r'<tr id="counts-credit_rates".*?</tr>', page, re.S).group(0)
    assert re.findall(r'<td class="(\w+)">([^<]*)</td>', counts) == [
        ("new", "1"),
        ("changed", "1"),
        ("unchanged", "8"),
        ("invalid", ""),
    ]
    assert re.sub(r"\s+", " ", '<td><code>credits</code></td><td class="old">8</td><td class="new">9.5</td>') in (
        re.sub(r"\s+", " ", page)
    )
    assert '<td class="old">(empty)</td><td class="new">Raised with the January prices</td>' in page
    assert '<tr class="new"><td>11</td><td><code>video / mochi-1 / — / hours</code></td></tr>' in page
    assert "8 rows unchanged: nothing is written for them." in page
    confirm = preview.context["confirm_form"]
    assert draft_snapshot() == before, "the preview writes nothing"

    done = as_editor.post(
        admin_url(CreditRate, "process_import"), {name: confirm.initial[name] for name in confirm.fields}, follow=True
    )

    assert done.redirect_chain == [(admin_url(CreditRate, "changelist"), 302)]
    assert _messages(done) == ["Import finished: 1 new, 1 updated, 0 deleted and 8 skipped credit rates."]
    rate = CreditRate.objects.get(model__slug="kling-v2-1")
    assert (rate.credits, rate.notes) == (Decimal("9.5"), "Raised with the January prices")
    record = rate.history.first()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "~",
        editor,
        "Imported from rates.xlsx",
    )
    assert CreditRate.objects.get(model__slug="mochi-1", meter__slug="hours").history.get().history_user == editor
    assert CreditRate.objects.count() == 10


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_a_file_with_one_invalid_row_shows_the_problem_and_no_confirmation(as_editor, fmt):
    rows = rows_of(RESOURCES["credit_rates"]().export())
    rows[1][5] = "9"  # a valid change in the same file: credits
    rows[2][11] = "50"  # luma-ray-3: default quantity above the maximum of 10
    data = {"csv": csv_of, "json": json_of, "xlsx": xlsx_of}[fmt](rows)
    before = draft_snapshot()

    response = _import(as_editor, CreditRate, name=f"rates.{fmt}", data=data, fmt=fmt)

    assert response.status_code == 200
    assert "confirm_form" not in response.context
    page = _html(response)
    assert "Some rows are invalid" in page
    assert (
        '<li class="problem">Row 3, columns <code>max_quantity</code>, <code>default_quantity</code>: Default '
        "quantity cannot be above the maximum quantity.</li>"
    ) in page
    assert 'id="counts-credit_rates" class="failed"' in page
    assert draft_snapshot() == before


def test_a_file_that_stopped_importing_cleanly_since_its_preview_writes_nothing_on_confirm(as_editor):
    Meter.objects.create(slug="frames", name="Frames", unit="frame")
    rows = rows_of(RESOURCES["credit_rates"]().export())
    rows.append(["video", "mochi-1", "", "frames", "", "2", "1", "0", "", "", "", "", "TRUE", ""])
    rows[1][5] = "9"
    preview = _import(as_editor, CreditRate, name="rates.csv", data=csv_of(rows), fmt="csv")
    confirm = preview.context["confirm_form"]
    Meter.objects.filter(slug="frames").delete()
    before = draft_snapshot()

    done = as_editor.post(
        admin_url(CreditRate, "process_import"), {name: confirm.initial[name] for name in confirm.fields}, follow=True
    )

    assert done.redirect_chain == [(admin_url(CreditRate, "import"), 302)]
    assert _messages(done) == [
        "Nothing was imported: the draft changed since the preview, and the file no longer imports cleanly. "
        "Sheet 'credit_rates', row 11, column 'meter': there is no meter 'frames'"
    ]
    assert draft_snapshot() == before
    assert CreditRate.objects.get(model__slug="kling-v2-1").credits == 8


def test_a_viewer_can_export_but_not_import(as_viewer):
    page = _html(as_viewer.get(admin_url(CreditRate, "changelist")))
    assert "export_link" in page and "import_link" not in page

    assert _export(as_viewer, CreditRate, "csv").content.decode().splitlines()[1] == (
        "video,kling-v2-1,,seconds,,8,1,0,,1,10,8,TRUE,"
    )
    before = draft_snapshot()
    data = csv_of(rows_of(RESOURCES["credit_rates"]().export()))
    assert as_viewer.get(admin_url(CreditRate, "import")).status_code == 403
    assert _import(as_viewer, CreditRate, name="rates.csv", data=data, fmt="csv").status_code == 403
    assert (
        as_viewer.post(
            admin_url(CreditRate, "process_import"),
            {"import_file_name": "x", "original_file_name": "rates.csv", "format": "0", "resource": "0"},
        ).status_code
        == 403
    )
    assert draft_snapshot() == before


def test_a_large_file_previews_with_each_list_cut_at_the_limit(as_editor, monkeypatch):
    """20,000 rows preview with the lists cut at 200; here 3,000 rows cut at 50 keep the suite fast
    (the dry run writes every row and rolls back: about 1 ms a row on SQLite)."""
    monkeypatch.setattr("billingcfg.sheets.preview.LIMIT", 50)
    rows = rows_of(RESOURCES["provider_costs"]().export())
    headers = rows[0]
    stored = len(rows) - 1
    tier = {
        "model": "claude-3-5-sonnet",
        "variant": "",
        "meter": "input_tokens",
        "supplier": "anthropic",
        "negotiated": "FALSE",
        "price": "3.5",
        "price_high": "",
        "per_units": "1000000",
        "tier_mode": "cliff",
        "tier_meter": "",
        "currency": "USD",
        "source_url": "",
        "as_of": "2026-01-01",
        "notes": "",
    }
    rows += [[{**tier, "tier_threshold": str(1000 * n)}[column] for column in headers] for n in range(1, 3001)]
    rows[1][headers.index("price")] = "3.1"
    before = draft_snapshot()

    response = _import(as_editor, ProviderCost, name="tiers.csv", data=csv_of(rows), fmt="csv")

    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.new, preview.changed, preview.unchanged, preview.invalid) == (3000, 1, stored - 1, 0)
    assert (len(preview.new_rows), preview.more_new) == (50, 2950)
    page = _html(response)
    assert page.count('<tr class="new">') == 50
    assert "… and 2,950 more new rows." in page
    first = stored + 2  # the header, then the stored rows
    new = '<tr class="new"><td>{}</td><td><code>claude-3-5-sonnet / — / input_tokens / anthropic / {}</code></td></tr>'
    assert new.format(first, 1000) in page
    assert new.format(first + 49, 50000) in page
    assert "input_tokens / 51000" not in page
    assert "confirm_form" in response.context
    assert draft_snapshot() == before


def test_a_long_list_of_problems_is_cut_at_the_limit_too(as_editor, monkeypatch):
    monkeypatch.setattr("billingcfg.sheets.preview.LIMIT", 3)
    rows = rows_of(RESOURCES["credit_rates"]().export())
    for row in rows[1:]:
        row[3] = "0"

    response = _import(as_editor, CreditRate, name="rates.csv", data=csv_of(rows), fmt="csv")

    page = _html(response)
    assert page.count('<li class="problem">') == 3
    assert "… and 6 more problems." in page


# ---- the whole configuration: the workbook page --------------------------------------------------------


def _upload(client, *, name: str, data: bytes):
    return client.post(reverse("workbook"), {"workbook": SimpleUploadedFile(name, data)})


def _raise_sonnet(sheets):
    costs = sheets["provider_costs"]
    costs.set(costs.row(model="claude-3-5-sonnet", meter="input_tokens"), "price", 3.3)
    sheets["providers"].append(slug="acme", name="Acme", active=True)


def test_the_workbook_page_exports_the_whole_configuration(as_editor):
    page = _html(as_editor.get(reverse("workbook")))
    assert f'href="{reverse("workbook_export")}" id="workbook-download"' in page
    assert 'id="workbook-upload"' in page

    response = as_editor.get(reverse("workbook_export"))

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert re.fullmatch(
        r'attachment; filename="configuration-\d{4}-\d\d-\d\d-\d{4}\.xlsx"', response["Content-Disposition"]
    )
    assert workbook_cells(response.content) == workbook_cells(workbook_export())


def test_a_workbook_is_previewed_then_written_when_confirmed(as_editor, editor):
    data = workbook_edited(workbook_export(), _raise_sonnet)
    before = draft_snapshot()

    preview = _upload(as_editor, name="configuration.xlsx", data=data)

    page = _html(preview)
    assert "Preview of <strong>configuration.xlsx</strong>. Nothing has been written yet." in page
    counts = re.search(r'<tr id="counts-provider_costs".*?</tr>', page, re.S).group(0)
    assert re.findall(r'<td class="(\w+)">([^<]*)</td>', counts) == [
        ("new", ""),
        ("changed", "1"),
        ("unchanged", "46"),
        ("invalid", ""),
    ]
    assert '<td><code>price</code></td><td class="old">3</td><td class="new">3.3</td>' in page
    acme_row = Provider.objects.count() + 2  # after the header and the stored providers
    assert f'<tr class="new"><td>{acme_row}</td><td><code>acme</code></td></tr>' in page
    confirm = preview.context["confirm_form"]
    assert draft_snapshot() == before

    done = as_editor.post(reverse("workbook"), {**confirm.initial, "confirm": "Confirm import"}, follow=True)

    assert done.redirect_chain == [(reverse("workbook"), 302)]
    assert _messages(done) == [
        "Imported configuration.xlsx: 1 new and 1 changed rows written to the draft (history records you and the "
        "file). Review the margins, then publish."
    ]
    cost = ProviderCost.objects.get(model__slug="claude-3-5-sonnet", meter__slug="input_tokens")
    assert cost.price == Decimal("3.3")
    record = cost.history.first()
    assert (record.history_user, record.history_change_reason) == (editor, "Imported from workbook configuration.xlsx")
    assert Provider.objects.get(slug="acme").history.get().history_user == editor


def test_a_draft_changed_between_preview_and_confirm_imports_nothing_and_previews_again(as_editor):
    data = workbook_edited(workbook_export(), _raise_sonnet)
    confirm = _upload(as_editor, name="configuration.xlsx", data=data).context["confirm_form"]
    Provider.objects.filter(slug="anthropic").update(name="Anthropic PBC")  # someone saves a row meanwhile
    before = draft_snapshot()

    again = as_editor.post(reverse("workbook"), {**confirm.initial, "confirm": "Confirm import"})

    assert again.status_code == 200
    assert _messages(again) == [
        "The draft changed since this preview (someone saved a row). Nothing was imported; here is the preview "
        "against the draft as it is now."
    ]
    assert draft_snapshot() == before
    previews = {p.name: p for p in again.context["previews"]}
    assert [(row.key, row.changes) for row in previews["providers"].changed_rows] == [
        ("anthropic", [("name", "Anthropic PBC", "Anthropic")])
    ]
    assert again.context["confirm_form"].initial["draft_sha256"] != confirm.initial["draft_sha256"]


def test_a_preview_confirmed_after_its_file_stopped_waiting_imports_nothing(as_editor):
    data = workbook_edited(workbook_export(), _raise_sonnet)
    confirm = _upload(as_editor, name="configuration.xlsx", data=data).context["confirm_form"]
    upload_forget(confirm.initial["file_sha256"], kind="workbook")  # an hour later
    before = draft_snapshot()

    done = as_editor.post(reverse("workbook"), {**confirm.initial, "confirm": "Confirm import"}, follow=True)

    assert done.redirect_chain == [(reverse("workbook"), 302)]
    assert _messages(done) == [
        "The previewed file is no longer waiting (previews wait one hour); upload it again. Nothing was imported."
    ]
    assert draft_snapshot() == before


def test_a_workbook_with_an_invalid_row_previews_the_problem_and_cannot_be_confirmed(as_editor):
    def break_price(sheets):
        costs = sheets["provider_costs"]
        costs.set(costs.row(model="claude-3-5-sonnet", meter="input_tokens"), "price", -3)

    before = draft_snapshot()
    response = _upload(as_editor, name="configuration.xlsx", data=workbook_edited(workbook_export(), break_price))

    assert "confirm_form" not in response.context
    page = _html(response)
    assert "This workbook cannot be imported: fix the problems below in the file and upload it again." in page
    assert '<li class="problem">Row 2, column <code>price</code>: Price cannot be negative.</li>' in page
    assert draft_snapshot() == before


def test_a_viewer_can_download_the_workbook_but_not_import_one(as_viewer):
    page = _html(as_viewer.get(reverse("workbook")))
    assert 'id="workbook-download"' in page
    assert 'id="workbook-import"' not in page and 'id="workbook-upload"' not in page
    assert as_viewer.get(reverse("workbook_export")).status_code == 200

    before = draft_snapshot()
    data = workbook_edited(workbook_export(), _raise_sonnet)
    assert _upload(as_viewer, name="configuration.xlsx", data=data).status_code == 403
    assert (
        as_viewer.post(
            reverse("workbook"),
            {"confirm": "Confirm import", "file_sha256": "0" * 64, "file_name": "c.xlsx", "draft_sha256": "x"},
        ).status_code
        == 403
    )
    assert draft_snapshot() == before
