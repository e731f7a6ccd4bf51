"""LiteLLM's real price map, whole, against the demo draft: `import_price_map
--dry-run` reads all of it (4,552 entries, nested up to 6 deep), reports what
it would change, and writes nothing.

The file is model_prices_and_context_window_backup.json from the litellm 1.109.1
wheel (`pip download --no-deps litellm==1.109.1`), vendored gzipped with its
licence beside it (tests/data/litellm/). Its figures are asserted as observed:
a newer map changes them, and the test says so."""

import gzip
import hashlib
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

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
    assert lines[0] == (
        "Price list model_prices_and_context_window_backup.json (sha256 8f8060d8ce7a…): 4,552 entries; "
        "39 priced 12 of our models, 4,506 not in our catalogue."
    )
    # Every entry is accounted for: priced, not ours, or a whole entry left to an alias's own entry.
    whole_entries_ignored = [line for line in lines if "(whole entry)" in line]
    assert 39 + 4_506 + len(whole_entries_ignored) == entries
    assert "Provider costs that differ (9), largest rise first:" in lines
    assert "New provider costs (7):" in lines
    assert "Unchanged: 6 provider costs already at the list's price." in lines
    assert "Skipped (132):" in lines
    # Prices as Google lists them for Gemini 2.5 Flash: $0.30 in and $2.50 out per 1M tokens, and the
    # cached-input price the demo lacks; the demo's own prices are a reseller's, in CNY.
    assert (
        "  gemini-2-5-flash / all variants / output_tokens: 0.6–1.2 CNY → 2.5 USD per 1,000,000 (+2,858.3%)"
        "  [deepinfra/google/gemini-2.5-flash output_cost_per_token]"
    ) in lines
    assert (
        "  gemini-2-5-flash / all variants / cached_input_tokens: 0.03 USD per 1,000,000"
        "  [gemini-2.5-flash cache_read_input_token_cost]"
    ) in lines
    assert lines[-1] == "Dry run: nothing was written."
    assert "4,552 / 4,552 entries" in err.getvalue()
    assert snapshot() == before
