"""LiteLLM's real price map, whole, against the demo draft: `import_price_map
--dry-run` reads all of it (4,552 entries, nested up to 6 deep), reports what
it would change, and writes nothing; a reseller's entry (kyma/, replicate/,
deepinfra/ …) never prices one of our suppliers' costs.

The file is model_prices_and_context_window_backup.json from the litellm 1.109.1
wheel (`pip download --no-deps litellm==1.109.1`), vendored gzipped with its
licence beside it (tests/data/litellm/). Its figures are asserted as observed:
a newer map changes them, and the test says so."""

import gzip
import hashlib
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from rates.models import PriceListSupplier, Provider, ProviderCost
from rates.price_list_import import price_list_check
from tests.rates.test_price_list_import import snapshot

pytestmark = pytest.mark.django_db

VENDORED = Path(__file__).resolve().parents[1] / "data" / "litellm" / "model_prices_and_context_window_backup.json.gz"
SHA256 = "8f8060d8ce7a40c91b995c74d6a27657543d49e3c1c53430dabd556f244392c6"


@pytest.fixture(scope="module")
def price_map() -> bytes:
    data = gzip.decompress(VENDORED.read_bytes())
    assert hashlib.sha256(data).hexdigest() == SHA256  # the file as litellm 1.109.1 ships it
    return data


@pytest.fixture
def price_file(price_map, tmp_path) -> Path:
    path = tmp_path / "model_prices_and_context_window_backup.json"
    path.write_bytes(price_map)
    return path


def test_the_whole_real_price_map_is_reported_and_nothing_written(demo, price_map, price_file):
    before = snapshot()
    out, err = io.StringIO(), io.StringIO()

    call_command("import_price_map", str(price_file), "--dry-run", stdout=out, stderr=err)

    lines = out.getvalue().splitlines()
    entries = len(json.loads(price_map)) - 1  # less LiteLLM's "sample_spec", which documents the format
    assert entries == 4_552
    assert lines[:2] == [
        "Price list model_prices_and_context_window_backup.json (sha256 8f8060d8ce7a…): 4,552 entries; "
        "15 priced 10 of our models, 31 of our models' entries passed over, 4,506 not in our catalogue.",
        "Rows priced: 18 (1 differ, 3 new, 11 unchanged, 3 held, 0 kept as negotiated); 0 rows ambiguous.",
    ]
    # Every entry is accounted for: priced, not ours, or passed over whole (no supplier of ours, or an alias's).
    assert 15 + 4_506 + 31 == entries
    # Google's own entries (gemini, vertex_ai-language-models) agree on Gemini 2.5 Flash's $0.30 / $2.50,
    # so its Google rows stand; the cached-input price Google lists is new, from Google.
    assert (
        "  gemini-2-5-flash / all variants / cached_input_tokens from google: 0.03 USD per 1,000,000"
        "  [gemini-2.5-flash cache_read_input_token_cost (also gemini/gemini-2.5-flash)]"
    ) in lines
    # A move of +525 % is held back until someone confirms that row.
    assert (
        "  gemini-flash-lite-latest/*/output_tokens/google: 0.4 USD → 2.5 USD per 1,000,000 (+525.0%): "
        "a move of more than ±50 %  [gemini/gemini-flash-lite-latest output_cost_per_token "
        "(also gemini-flash-lite-latest)]"
    ) in lines
    assert "Skipped (129), by reason:" in lines
    assert (
        "  its provider 'kyma' is none of our suppliers (no price-list supplier matches it) (1 entry): "
        "kyma/gemini-3-flash"
    ) in lines
    assert lines[-1] == "Dry run: nothing was written."
    assert "4,552 / 4,552 entries" in err.getvalue()
    assert snapshot() == before


RESELLERS = ("kyma/gemini-3-flash", "replicate/google/gemini-3-pro", "deepinfra/google/gemini-2.5-flash")


def sources(report) -> set[str]:
    """Every entry the report takes a price from: written, held or kept."""
    rows = (*report.changes, *report.added, *report.held, *report.kept)
    return {row.entry for row in rows} | {entry for row in rows for entry in getattr(row, "agreeing", ())}


def test_a_resellers_entry_never_prices_our_models(demo, price_map):
    """The issue's three: gemini-3-flash was priced from kyma/, gemini-3-pro from replicate/,
    gemini-2-5-flash from deepinfra/ — none of them a supplier of ours for these models."""
    before = {
        (row.model.slug, row.supplier.slug, row.meter.slug): (row.price, row.price_high, row.currency.code)
        for row in ProviderCost.objects.filter(model__slug__in=["gemini-3-flash", "gemini-3-pro", "gemini-2-5-flash"])
    }

    report = price_list_check(price_map, filename="model_prices_and_context_window_backup.json")

    passed_over = {item.entry: item.reason for item in report.skipped if not item.key}
    assert {name: passed_over.get(name) for name in RESELLERS} == {
        "kyma/gemini-3-flash": "its provider 'kyma' is none of our suppliers (no price-list supplier matches it)",
        "replicate/google/gemini-3-pro": (
            "its provider 'replicate' is none of our suppliers (no price-list supplier matches it)"
        ),
        "deepinfra/google/gemini-2.5-flash": (
            "its provider 'deepinfra' is none of our suppliers (no price-list supplier matches it)"
        ),
    }
    assert not sources(report) & set(RESELLERS)
    assert not [row for row in (*report.changes, *report.held) if row.model in ("gemini-3-flash", "gemini-3-pro")]
    # Gemini 2.5 Flash from Google is priced by Google's own entries, as the demo holds it: unchanged.
    flash = [row for row in report.matched if row.model == "gemini-2-5-flash"]
    assert {(row.name, row.provider, row.supplier) for row in flash} == {
        ("gemini-2.5-flash", "vertex_ai-language-models", "google"),
        ("gemini/gemini-2.5-flash", "gemini", "google"),
    }
    assert before[("gemini-2-5-flash", "google", "input_tokens")] == (Decimal("0.3"), None, "USD")
    assert before[("gemini-2-5-flash", "gateway", "input_tokens")] == (Decimal("0.3"), Decimal("0.6"), "CNY")
    assert {(row.model, row.supplier) for row in report.changes} == {("veo-3-1-fast", "google")}


def test_a_mapped_reseller_is_still_no_supplier_of_a_model_it_does_not_sell_us(demo, price_map):
    PriceListSupplier.objects.create(pattern="replicate", supplier=Provider.objects.get(slug="replicate"))

    report = price_list_check(price_map, filename="model_prices_and_context_window_backup.json")

    passed_over = {item.entry: item.reason for item in report.skipped if not item.key}
    assert passed_over["replicate/google/gemini-3-pro"] == (
        "its provider 'replicate' is our supplier replicate (replicate), which is not a supplier of gemini-3-pro: "
        "no cost of it from replicate, and its primary supplier is gateway"
    )
    assert "replicate/google/gemini-3-pro" not in sources(report)
