"""Whose price a price-list entry is, against the demo draft: LiteLLM's providers mapped to our
suppliers, new costs bought from the entry's supplier, a negotiated cost kept beside the list's
figure, rows entries disagree on listed as ambiguous and left alone, and moves of more than the
hold share (or to zero) held back until confirmed row by row — each with what is written and
what is refused, naming the row and the rule."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from rates.models import AIModel, PriceListSupplier, Provider, ProviderCost
from rates.price_list_import import ImportRefused, price_list_apply, price_list_check, price_list_suppliers_load
from tests.rates.test_price_list_import import snapshot

pytestmark = pytest.mark.django_db

FILENAME = "prices.json"
GPT = "gpt-4-turbo/*/input_tokens/openai"  # the demo buys GPT-4 Turbo from OpenAI at $10 / $30 per 1M


def body(entries: dict) -> bytes:
    return json.dumps(entries).encode()


def gpt(**prices) -> dict:
    return {"gpt-4-turbo": {"litellm_provider": "openai", **prices}}


def cost(model: str, meter: str, supplier: str) -> ProviderCost:
    return ProviderCost.objects.get(
        model__slug=model, variant__isnull=True, meter__slug=meter, supplier__slug=supplier, tier_threshold__isnull=True
    )


def run(path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_price_map", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def price_file(tmp_path):
    def write(entries: dict):
        path = tmp_path / FILENAME
        path.write_bytes(body(entries))
        return path

    return write


# ---- whose cost a new row is -----------------------------------------------------------------------


def test_a_new_cost_is_bought_from_the_supplier_the_entry_maps_to(demo):
    """Gemini 2.5 Flash is bought from Google and from a CNY gateway: Google's list adds Google's row."""
    entries = {"gemini/gemini-2.5-flash": {"litellm_provider": "gemini", "cache_read_input_token_cost": 3e-08}}
    gateway_before = list(ProviderCost.objects.filter(supplier__slug="gateway").values())

    report, _ = price_list_apply(body(entries), user=None, filename=FILENAME)

    assert [(row.model, row.meter, row.supplier, row.entry) for row in report.added] == [
        ("gemini-2-5-flash", "cached_input_tokens", "google", "gemini/gemini-2.5-flash")
    ]
    added = cost("gemini-2-5-flash", "cached_input_tokens", "google")
    assert (added.price, added.currency.code, added.negotiated) == (Decimal("0.03"), "USD", False)
    assert list(ProviderCost.objects.filter(supplier__slug="gateway").values()) == gateway_before


def test_an_entry_of_no_supplier_of_ours_writes_nothing(demo):
    entries = {"kyma/gemini-3-flash": {"litellm_provider": "kyma", "input_cost_per_token": 6.75e-07}}
    before = snapshot()

    report, result = price_list_apply(body(entries), user=None, filename=FILENAME)

    assert [(s.entry, s.reason) for s in report.skipped] == [
        ("kyma/gemini-3-flash", "its provider 'kyma' is none of our suppliers (no price-list supplier matches it)")
    ]
    assert (report.matched, report.changes, report.added, result.changed) == ((), (), (), False)
    assert snapshot() == before


def test_an_edited_mapping_makes_an_entry_a_suppliers_price(demo):
    """Ops map a provider to one of the model's suppliers: then its entries price that supplier's rows."""
    PriceListSupplier.objects.create(pattern="kyma", supplier=Provider.objects.get(slug="gateway"))
    entries = {"kyma/gemini-3-flash": {"litellm_provider": "kyma", "input_cost_per_token": 6.75e-07}}

    report = price_list_check(body(entries), filename=FILENAME)

    # The gateway's cost is ¥0.25–0.5 and the draft has no CNY → USD rate: the move cannot be measured.
    assert [(row.row_id, row.held) for row in report.held] == [
        ("gemini-3-flash/*/input_tokens/gateway", "a move that cannot be measured: no exchange rate from CNY to USD")
    ]


# ---- negotiated costs ------------------------------------------------------------------------------


def test_a_negotiated_cost_is_kept_and_shown_beside_the_lists_figure(demo, price_file):
    ProviderCost.objects.filter(model__slug="gpt-4-turbo", meter__slug="input_tokens").update(negotiated=True)
    path = price_file(gpt(input_cost_per_token=1.1e-05, output_cost_per_token=3.3e-05))

    out = run(path)

    assert cost("gpt-4-turbo", "input_tokens", "openai").price == Decimal("10")
    assert cost("gpt-4-turbo", "output_tokens", "openai").price == Decimal("33")
    assert (
        "  gpt-4-turbo / all variants / input_tokens from openai: kept 10 USD per 1,000,000; "
        "the list's 11 USD per 1,000,000  [gpt-4-turbo input_cost_per_token]"
    ) in out.splitlines()
    report = price_list_check(body(gpt(input_cost_per_token=1.1e-05)), filename=FILENAME)
    assert [(k.row_id, k.price, k.list_price) for k in report.kept] == [(GPT, Decimal("10"), Decimal("11"))]
    assert report.changes == ()


def test_a_negotiated_cost_is_never_overwritten_even_when_a_held_move_is_confirmed(demo):
    ProviderCost.objects.filter(model__slug="gpt-4-turbo", meter__slug="input_tokens").update(negotiated=True)

    with pytest.raises(ImportRefused, match="not a row this price list holds back"):
        price_list_apply(body(gpt(input_cost_per_token=0)), user=None, filename=FILENAME, confirmed=[GPT])
    report, _ = price_list_apply(body(gpt(input_cost_per_token=0)), user=None, filename=FILENAME, confirm_all_held=True)

    assert [k.row_id for k in report.kept] == [GPT]
    assert cost("gpt-4-turbo", "input_tokens", "openai").price == Decimal("10")


# ---- held rows -------------------------------------------------------------------------------------


def test_a_move_beyond_the_hold_share_is_held_and_not_written(demo, price_file):
    path = price_file(gpt(input_cost_per_token=2e-05, output_cost_per_token=3.3e-05))

    out = run(path)

    assert cost("gpt-4-turbo", "input_tokens", "openai").price == Decimal("10")  # +100 %: held
    assert cost("gpt-4-turbo", "output_tokens", "openai").price == Decimal("33")  # +10 %: written
    lines = out.splitlines()
    assert (
        "  gpt-4-turbo/*/input_tokens/openai: 10 USD → 20 USD per 1,000,000 (+100.0%): a move of more than ±50 %"
        "  [gpt-4-turbo input_cost_per_token]"
    ) in lines
    assert lines[-1] == (
        "Written into the draft: provider costs: 1 updated; 1 held back, not written. Review it with "
        "`python manage.py publish --dry-run`, then publish."
    )


def test_a_held_row_is_written_once_confirmed_by_its_row(demo, price_file):
    path = price_file(gpt(input_cost_per_token=2e-05, output_cost_per_token=0))

    out = run(path, "--confirm", GPT)

    assert cost("gpt-4-turbo", "input_tokens", "openai").price == Decimal("20")
    assert cost("gpt-4-turbo", "output_tokens", "openai").price == Decimal("30")  # to zero: held, not confirmed
    assert (
        "  gpt-4-turbo / all variants / input_tokens from openai: 10 USD → 20 USD per 1,000,000 (+100.0%); "
        "confirmed (a move of more than ±50 %)  [gpt-4-turbo input_cost_per_token]"
    ) in out.splitlines()
    assert "  gpt-4-turbo/*/output_tokens/openai: 30 USD → 0 USD per 1,000,000 (−100.0%): a move to zero" in out


def test_every_held_row_is_written_with_confirm_all_held(demo, price_file):
    path = price_file(gpt(input_cost_per_token=2e-05, output_cost_per_token=0))

    run(path, "--confirm-all-held")

    assert cost("gpt-4-turbo", "input_tokens", "openai").price == Decimal("20")
    assert cost("gpt-4-turbo", "output_tokens", "openai").price == Decimal("0")


def test_a_confirmation_of_no_held_row_is_refused_naming_it_and_writes_nothing(demo, price_file):
    path = price_file(gpt(input_cost_per_token=2e-05, output_cost_per_token=3.3e-05))
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        run(path, "--confirm", "gpt-4-turbo/*/output_tokens/openai", "--confirm", GPT)

    assert str(refused.value) == (
        f"{FILENAME}: 'gpt-4-turbo/*/output_tokens/openai': not a row this price list holds back, so there is "
        f"nothing to confirm there; the held rows are: {GPT}; nothing was written"
    )
    assert snapshot() == before


def test_the_hold_share_is_a_setting(demo, settings):
    settings.PRICE_LIST_HOLD_SHARE = "0.05"

    report = price_list_check(body(gpt(output_cost_per_token=3.3e-05)), filename=FILENAME)

    assert [(row.row_id, row.held) for row in report.held] == [
        ("gpt-4-turbo/*/output_tokens/openai", "a move of more than ±5 %")
    ]


@pytest.mark.parametrize("share", ["lots", "-0.1", "NaN"])
def test_a_hold_share_that_is_no_share_is_refused(demo, settings, share):
    settings.PRICE_LIST_HOLD_SHARE = share

    with pytest.raises(ImportRefused) as refused:
        price_list_check(body(gpt(output_cost_per_token=3.3e-05)), filename=FILENAME)

    assert str(refused.value) == (
        f"PRICE_LIST_HOLD_SHARE (DJANGO_PRICE_LIST_HOLD_SHARE) is '{share}'; it is a share of a cost such as 0.5 "
        "(±50 %), 0 or more"
    )


def test_a_new_cost_of_zero_is_held(demo):
    entries = {"text-embedding-3-small": {"litellm_provider": "openai", "output_cost_per_token": 0}}

    report, result = price_list_apply(body(entries), user=None, filename=FILENAME)

    assert [(row.row_id, row.held) for row in report.held] == [
        ("text-embedding-3-small/*/output_tokens/openai", "a new cost of zero")
    ]
    assert not result.changed
    assert not ProviderCost.objects.filter(model__slug="text-embedding-3-small", meter__slug="output_tokens").exists()


def test_a_confirmed_move_shows_the_workflows_it_moves_in_their_products_currency(demo, price_file):
    """The coaching hour runs on Gemini Flash-Lite from Google: LiteLLM's $0.30 / $2.50 (the demo holds
    $0.10 / $0.40) is held; confirmed, the report shows the hour's cost in TWD and its margin fall."""
    entries = {
        "gemini/gemini-flash-lite-latest": {
            "litellm_provider": "gemini",
            "input_cost_per_token": 3e-07,
            "output_cost_per_token": 2.5e-06,
        }
    }
    path = price_file(entries)

    held = run(path, "--dry-run")
    confirmed = run(path, "--dry-run", "--confirm-all-held").splitlines()

    assert "Workflows whose cost moves" not in held  # held rows leave the margins as they are
    assert confirmed[confirmed.index("Workflows whose cost moves (2), worst first:") + 1 :][:2] == [
        "  coaching: coaching-session-hour (per session hour): cost 18.7728 TWD → 26.1456 TWD; 60 credits; "
        "at lowest 24.9% → −4.6%; at basis 43.7% → 21.6% (target 40.0%)  [Loss] [Below target]",
        "  coaching: coaching-session-hour-optimised (per session hour): cost 12.624 TWD → 19.9968 TWD "
        "(not sold: cost only)",
    ]


# ---- ambiguous rows --------------------------------------------------------------------------------


def test_entries_of_one_supplier_that_disagree_are_listed_and_not_applied(demo, price_file):
    entries = {
        "gpt-4-turbo": {"litellm_provider": "openai", "input_cost_per_token": 1.1e-05},
        "openai/gpt-4-turbo": {"litellm_provider": "openai", "input_cost_per_token": 1.2e-05},
        "gpt_4_turbo": {"litellm_provider": "openai", "input_cost_per_token": 1.1e-05},
    }
    path = price_file(entries)
    before = snapshot()

    out = run(path)

    assert snapshot() == before
    assert (
        "  gpt-4-turbo / all variants / input_tokens from openai: gpt-4-turbo input_cost_per_token = 11 USD per "
        "1,000,000; openai/gpt-4-turbo input_cost_per_token = 12 USD per 1,000,000; gpt_4_turbo "
        "input_cost_per_token = 11 USD per 1,000,000"
    ) in out.splitlines()
    assert "Rows priced: 0 (0 differ, 0 new, 0 unchanged, 0 held, 0 kept as negotiated); 1 row ambiguous." in out


def test_entries_of_different_suppliers_are_not_ambiguous(demo):
    """Azure's GPT-4 Turbo is Azure's price: our OpenAI row takes OpenAI's entry."""
    PriceListSupplier.objects.create(pattern="azure", supplier=Provider.objects.get(slug="fal"))
    entries = {
        "gpt-4-turbo": {"litellm_provider": "openai", "input_cost_per_token": 1.1e-05},
        "azure/gpt-4-turbo": {"litellm_provider": "azure", "input_cost_per_token": 1.2e-05},
    }

    report = price_list_check(body(entries), filename=FILENAME)

    assert report.ambiguous == ()
    assert [(c.row_id, c.new_price, c.entry) for c in report.changes] == [(GPT, Decimal("11"), "gpt-4-turbo")]


# ---- the mapping's own rows ------------------------------------------------------------------------


def test_mapping_rows_load_and_load_again_writing_nothing(demo):
    rows = [{"pattern": "kyma", "supplier": "gateway", "notes": "A reseller we buy Gemini from."}]

    assert price_list_suppliers_load(rows, reason="test") == 1
    assert price_list_suppliers_load(rows, reason="test") == 0
    assert PriceListSupplier.objects.get(pattern="kyma").supplier.slug == "gateway"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            {"pattern": "kyma", "supplier": "kyma-reseller"},
            "price-list supplier 2 ('kyma'): there is no supplier 'kyma-reseller'; the suppliers are: anthropic, "
            "elevenlabs, fal, gateway, google, kling, luma, minimax, openai, replicate, supabase",
        ),
        (
            {"pattern": "*", "supplier": "google"},
            "price-list supplier 2 ('*'): '*' alone would take every provider's prices as this supplier's; name the "
            "provider (openai) or a prefix ending in * (vertex_ai-*)",
        ),
        (
            {"pattern": "", "supplier": "google"},
            "price-list supplier 2 (''): a pattern names a price list's provider (openai) or a prefix ending in * "
            "(vertex_ai-*); it is empty",
        ),
    ],
)
def test_a_bad_mapping_row_is_refused_naming_the_row_and_the_rule(demo, row, message):
    before = snapshot()

    with pytest.raises(ImportRefused) as refused:
        price_list_suppliers_load([{"pattern": "deepinfra", "supplier": "google"}, row], reason="test")

    assert str(refused.value) == message
    assert snapshot() == before


def test_a_stored_pattern_that_takes_every_provider_stops_the_import(demo):
    PriceListSupplier.objects.create(pattern="*", supplier=Provider.objects.get(slug="google"))
    before = snapshot()

    with pytest.raises(ImportRefused) as refused:
        price_list_apply(body(gpt(input_cost_per_token=1.1e-05)), user=None, filename=FILENAME)

    assert str(refused.value) == (
        "price-list supplier '*' → google: '*' alone would take every provider's prices as this supplier's; name "
        "the provider (openai) or a prefix ending in * (vertex_ai-*); correct it in the admin first"
    )
    assert snapshot() == before


def test_the_demo_maps_the_vendors_own_lists_to_its_suppliers(demo):
    mapped = {row.pattern: row.supplier.slug for row in PriceListSupplier.objects.select_related("supplier")}

    assert {pattern: mapped.get(pattern) for pattern in ("gemini", "vertex_ai-*", "openai", "anthropic")} == {
        "gemini": "google",
        "vertex_ai-*": "google",
        "openai": "openai",
        "anthropic": "anthropic",
    }
    assert AIModel.objects.get(slug="gemini-3-pro").supplier.slug == "gateway"
