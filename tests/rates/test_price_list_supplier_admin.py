"""The price-list suppliers and the import's held rows in the admin, as an editor uses them:
map a LiteLLM provider to a supplier (a pattern that is empty or takes every provider is
refused, on the form and from a spreadsheet), read a report with held, kept and ambiguous
rows, tick the held rows to write, and apply."""

import html
import json
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rates.models import PriceListAlias, PriceListSupplier, Provider, ProviderCost
from tests.admin.pages import admin_url, shown_errors
from tests.billingcfg.sheets.files import csv_of
from tests.factories import staff_in
from tests.rates.test_price_list_import import snapshot

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/rates/pricelistalias/import-price-list/"
INPUT = "gpt-4-turbo/*/input_tokens/openai"
OUTPUT = "gpt-4-turbo/*/output_tokens/openai"
# GPT-4 Turbo from OpenAI is $10 / $30 per 1M in the demo: input doubles (held), output to zero (held).
PRICE_LIST = {
    "gpt-4-turbo": {"litellm_provider": "openai", "input_cost_per_token": 2e-05, "output_cost_per_token": 0},
    "kyma/gemini-3-flash": {"litellm_provider": "kyma", "input_cost_per_token": 6.75e-07},
}


@pytest.fixture
def editor(demo) -> Client:
    client = Client()
    client.force_login(staff_in("editor"))
    return client


def upload(entries=None) -> SimpleUploadedFile:
    data = json.dumps(PRICE_LIST if entries is None else entries).encode()
    return SimpleUploadedFile("prices.json", data, content_type="application/json")


def text(response) -> str:
    return html.unescape(response.content.decode())


def price(meter: str) -> Decimal:
    return ProviderCost.objects.get(
        model__slug="gpt-4-turbo", meter__slug=meter, supplier__slug="openai", tier_threshold__isnull=True
    ).price


def applied(editor, report, *confirmed: str):
    return editor.post(
        IMPORT_URL,
        {
            "apply": "1",
            "sha256": report.context["report"].sha256,
            "draft_sha256": report.context["report"].draft_sha256,
            "confirm": list(confirmed),
        },
    )


# ---- the mapping table -------------------------------------------------------------------------


def test_the_price_list_suppliers_are_listed_and_linked_from_the_import_page(editor):
    listing = text(editor.get(admin_url(PriceListSupplier, "changelist")))
    page = text(editor.get(IMPORT_URL))

    assert "vertex_ai-*" in listing
    assert f'href="{admin_url(PriceListSupplier, "changelist")}" id="suppliers-link"' in page


def test_an_editor_maps_a_provider_to_a_supplier(editor):
    response = editor.post(
        admin_url(PriceListSupplier, "add"),
        {"pattern": "kyma", "supplier": Provider.objects.get(slug="gateway").pk, "notes": "We buy Gemini there."},
    )

    assert response.status_code == 302, shown_errors(response)
    assert str(PriceListSupplier.objects.get(pattern="kyma")) == "kyma → gateway"


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "This field is required."),
        (
            "*",
            "'*' alone would take every provider's prices as this supplier's; name the provider (openai) or a "
            "prefix ending in * (vertex_ai-*)",
        ),
        ("vertex_*_models", "'vertex_*_models': a * may only end a pattern, as in vertex_ai-*"),
    ],
)
def test_a_pattern_that_is_empty_or_takes_every_provider_is_refused(editor, pattern, message):
    before = PriceListSupplier.objects.count()

    response = editor.post(
        admin_url(PriceListSupplier, "add"),
        {"pattern": pattern, "supplier": Provider.objects.get(slug="google").pk, "notes": ""},
    )

    assert response.status_code == 200
    assert shown_errors(response) == [message]
    assert PriceListSupplier.objects.count() == before


def sheet(editor, rows):
    return editor.post(
        admin_url(PriceListSupplier, "import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("suppliers.csv", csv_of(rows))},
    )


def test_a_spreadsheet_of_mappings_imports_through_a_preview(editor):
    preview = sheet(editor, [["pattern", "supplier", "notes"], ["kyma", "gateway", ""]])

    assert preview.status_code == 200
    assert "confirm_form" in preview.context
    assert not PriceListSupplier.objects.filter(pattern="kyma").exists()  # written only when confirmed


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            ["*", "google", ""],
            "'*' alone would take every provider's prices as this supplier's; name the provider (openai) or a "
            "prefix ending in * (vertex_ai-*)",
        ),
        (["kyma", "kyma-reseller", ""], "kyma-reseller"),
    ],
)
def test_a_spreadsheet_row_with_a_bad_pattern_or_unknown_supplier_is_refused(editor, row, message):
    before = snapshot()

    preview = sheet(editor, [["pattern", "supplier", "notes"], row])

    page = text(preview)
    assert "confirm_form" not in preview.context
    assert message in page
    assert re.search(r"row 2", page, re.IGNORECASE)
    assert snapshot() == before


# ---- held, kept and ambiguous rows on the import page --------------------------------------------


def test_held_rows_are_shown_with_a_checkbox_each_and_not_written_unticked(editor):
    report = editor.post(IMPORT_URL, {"file": upload()})

    page = text(report)
    assert [(row["row_id"], row["held"]) for row in report.context["held"]] == [
        (INPUT, "a move of more than ±50 %"),
        (OUTPUT, "a move to zero"),
    ]
    assert f'name="confirm" value="{INPUT}" form="apply-form"' in page
    assert f'name="confirm" value="{OUTPUT}" form="apply-form"' in page
    skipped = report.context["skipped"]
    assert [(group["reason"], group["names"]) for group in skipped] == [
        ("its provider 'kyma' is none of our suppliers (no price-list supplier matches it)", ["kyma/gemini-3-flash"])
    ]

    done = applied(editor, report)

    assert done.status_code == 200
    assert (price("input_tokens"), price("output_tokens")) == (Decimal("10"), Decimal("30"))


def test_a_ticked_held_row_is_written_and_the_others_are_not(editor):
    report = editor.post(IMPORT_URL, {"file": upload()})

    done = applied(editor, report, INPUT)

    assert (price("input_tokens"), price("output_tokens")) == (Decimal("20"), Decimal("30"))
    assert [row["row_id"] for row in done.context["changes"]] == [INPUT]
    assert done.context["changes"][0]["confirmed"] is True
    assert [row["row_id"] for row in done.context["held"]] == [OUTPUT]


def test_a_negotiated_cost_is_shown_kept_beside_the_lists_figure(editor):
    ProviderCost.objects.filter(model__slug="gpt-4-turbo", meter__slug="input_tokens").update(negotiated=True)

    report = editor.post(IMPORT_URL, {"file": upload({"gpt-4-turbo": PRICE_LIST["gpt-4-turbo"]})})

    assert [(row["row_id"], row["kept"], row["listed"]) for row in report.context["kept"]] == [
        (INPUT, "10 USD per 1,000,000", "20 USD per 1,000,000")
    ]
    assert "Negotiated costs kept (1)" in text(report)


def test_ambiguous_rows_list_each_candidate_with_its_figure(editor):
    PriceListAlias.objects.all().delete()
    entries = {
        "gpt-4-turbo": {"litellm_provider": "openai", "input_cost_per_token": 1.1e-05},
        "openai/gpt-4-turbo": {"litellm_provider": "openai", "input_cost_per_token": 1.2e-05},
    }

    report = editor.post(IMPORT_URL, {"file": upload(entries)})

    assert report.context["ambiguous"] == [
        {
            "row": "gpt-4-turbo / all variants / input_tokens",
            "row_from": "gpt-4-turbo / all variants / input_tokens from openai",
            "row_id": INPUT,
            "model": "gpt-4-turbo",
            "variant": "all variants",
            "meter": "input_tokens",
            "supplier": "openai",
            "candidates": [
                {"source": "gpt-4-turbo input_cost_per_token", "price": "11 USD per 1,000,000"},
                {"source": "openai/gpt-4-turbo input_cost_per_token", "price": "12 USD per 1,000,000"},
            ],
        }
    ]
    assert "Ambiguous, not applied (1)" in text(report)
    assert price("input_tokens") == Decimal("10")


def test_applying_a_confirmed_move_shows_the_workflows_it_moved(editor):
    entries = {
        "gemini/gemini-flash-lite-latest": {
            "litellm_provider": "gemini",
            "input_cost_per_token": 3e-07,
            "output_cost_per_token": 2.5e-06,
        }
    }
    report = editor.post(IMPORT_URL, {"file": upload(entries)})
    assert report.context["workflows"] == []

    done = applied(editor, report, *(row["row_id"] for row in report.context["held"]))

    hour = done.context["workflows"][0]
    assert (hour["product"], hour["workflow"], hour["cost_old"], hour["cost_new"], hour["lowest_new"]["text"]) == (
        "coaching",
        "coaching-session-hour",
        "18.7728 TWD",
        "26.1456 TWD",
        "−4.6%",
    )
    assert hour["loss"] is True
    assert 'id="workflow-moves"' in text(done)
