"""Importing a LiteLLM price list into the demo draft: the dry run's report (costs
that differ, new costs, margins that move worst first), applying it (history
with who and why, only the touched rows written), the provider filter, and bad
files refused with the entry, key and rule while the draft stays as it was.
Suppliers, negotiated costs, held rows and ambiguous rows: test_price_list_suppliers."""

import hashlib
import io
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from billingcfg.releases.services import DraftChanged
from rates.models import AIModel, PriceListAlias, PriceListSupplier, Provider, ProviderCost, Variant
from rates.price_list import SOURCE_URL, PriceListInvalid
from rates.price_list_import import ImportRefused, price_list_apply, price_list_check, reason_for
from tests.factories import staff_in

pytestmark = pytest.mark.django_db

PRICE_LIST = {
    "sample_spec": {
        "input_cost_per_token": 0.0,
        "litellm_provider": "one of https://docs.litellm.ai/docs/providers",
        "max_tokens": "LEGACY parameter",
    },
    # Veo 3 with audio: $0.75/s in the demo, $0.40/s here (matched through an alias).
    "gemini/veo-3.0-generate-preview": {
        "output_cost_per_second": 0.4,
        "litellm_provider": "gemini",
        "mode": "video_generation",
        "supports_audio_output": True,
    },
    # Sora 2 Pro: 720p as in the demo, 1080p up from $0.50 to $0.70.
    "openai/sora-2-pro": {
        "output_cost_per_second_720p": 0.3,
        "output_cost_per_second_1080p": 0.7,
        "litellm_provider": "openai",
        "mode": "video_generation",
    },
    # GPT-4 Turbo as in the demo, with a cached-input price the demo lacks.
    "gpt-4-turbo": {
        "input_cost_per_token": 1e-05,
        "output_cost_per_token": 3e-05,
        "cache_read_input_token_cost": 5e-06,
        "input_cost_per_token_batches": 5e-06,
        "litellm_provider": "openai",
        "mode": "chat",
        "max_tokens": 4096,
    },
    # Luma Ray3 720p: the demo prices it per 5-second video ($0.71); the list per second.
    "luma/ray-3": {"output_cost_per_second_720p": 0.16, "litellm_provider": "luma", "mode": "video_generation"},
    "mistral/mistral-large-latest": {"input_cost_per_token": 2e-06, "litellm_provider": "mistral"},
}
FILENAME = "model_prices_and_context_window.json"


@pytest.fixture
def aliases(demo):
    PriceListAlias.objects.update_or_create(
        name="gemini/veo-3.0-generate-preview",
        defaults={
            "model": AIModel.objects.get(slug="veo-3"),
            "variant": Variant.objects.get(model__slug="veo-3", slug="audio"),
        },
    )
    PriceListAlias.objects.update_or_create(
        name="luma/ray-3", defaults={"model": AIModel.objects.get(slug="luma-ray-3")}
    )
    # The demo maps gemini, vertex_ai-*, openai, anthropic and elevenlabs; Luma's own list too, here.
    PriceListSupplier.objects.update_or_create(pattern="luma", defaults={"supplier": Provider.objects.get(slug="luma")})


def body(entries=None) -> bytes:
    return json.dumps(PRICE_LIST if entries is None else entries, indent=1).encode()


@pytest.fixture
def price_file(tmp_path):
    path = tmp_path / FILENAME
    path.write_bytes(body())
    return path


def cost(model: str, variant: str | None, meter: str, supplier: str | None = None) -> ProviderCost:
    """The base cost row; bought from the model's primary supplier unless `supplier` names another."""
    found = AIModel.objects.get(slug=model)
    return ProviderCost.objects.get(
        model=found,
        variant__slug=variant,
        meter__slug=meter,
        supplier__slug=supplier or found.supplier.slug,
        tier_threshold__isnull=True,
    )


def snapshot() -> dict[str, list[dict]]:
    """Every row of the configuration apps, history included."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for app in ("billingcfg", "plans", "rates")
        for model in apps.get_app_config(app).get_models()
    }


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_price_map", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# ---- the dry run's report ------------------------------------------------------------------------


def test_the_report_lists_the_costs_that_differ_largest_rise_first(aliases):
    report = price_list_check(body(), filename=FILENAME)

    assert [(c.model, c.variant, c.meter, c.old_price, c.new_price, c.per_units, c.change) for c in report.changes] == [
        ("sora-2-pro", "1080p", "seconds", Decimal("0.5"), Decimal("0.7"), 1, Decimal("0.4")),
        (
            "luma-ray-3",
            "720p",
            "seconds",
            Decimal("0.71"),
            Decimal("0.8"),
            5,
            Decimal("0.1267605633802816901408450704"),
        ),  # 0.142 → 0.16 a second
        ("veo-3", "audio", "seconds", Decimal("0.75"), Decimal("0.4"), 1, Decimal("-0.4666666666666666666666666667")),
    ]
    assert [(c.model, c.variant, c.meter, c.price, c.per_units) for c in report.added] == [
        ("gpt-4-turbo", None, "cached_input_tokens", Decimal("5"), 1_000_000)
    ]
    assert report.unchanged == 3  # sora-2-pro 720p, gpt-4-turbo input and output
    assert report.unmatched == ("mistral/mistral-large-latest",)
    assert [(s.entry, s.key) for s in report.skipped] == [("gpt-4-turbo", "input_cost_per_token_batches")]


def test_the_report_lists_the_margins_that_move_worst_first(aliases):
    report = price_list_check(body(), filename=FILENAME)

    moves = [
        (m.model, m.variant, m.lowest_old, m.lowest_new, m.basis_old, m.basis_new, m.below_target)
        for m in report.margin_moves
    ]
    assert moves[0][:2] == ("sora-2-pro", "1080p")
    assert moves[0][6] is True  # 35 credits at $0.05 earn $1.75 a second; $0.70 of it is cost: 60%
    assert moves[0][4:6] == ("0.7142857142857142857142857143", "0.6")
    assert [move[:2] for move in moves] == [("sora-2-pro", "1080p"), ("luma-ray-3", "720p"), ("veo-3", "audio")]
    # Veo 3 with audio: 60 credits a second at the $0.05 basis earn $3.00; its cost falls from $0.75 to $0.40.
    assert moves[2][2:6] == (
        "0.6508379888268156424581005587",
        "0.8137802607076350093109869646",
        "0.75",
        "0.8666666666666666666666666667",
    )
    assert moves[2][6] is False
    veo = next(price for price in report.request_prices if price["model"] == "veo-3")
    assert (veo["usage_new"], veo["credits"], veo["cost"]["old"]["high"], veo["cost"]["new"]["high"]) == (
        {"seconds": "8"},
        {"old": 480, "new": 480},
        "6",
        "3.2",
    )


def test_the_dry_run_writes_nothing(aliases, price_file):
    before = snapshot()

    out, _ = run(str(price_file), "--dry-run")

    assert snapshot() == before
    assert "Dry run: nothing was written." in out


def test_the_command_prints_the_report(aliases, price_file):
    digest = hashlib.sha256(price_file.read_bytes()).hexdigest()

    out, err = run(str(price_file), "--dry-run")

    assert out.splitlines()[:5] == [
        f"Price list {FILENAME} (sha256 {digest[:12]}…): 5 entries; 4 priced 4 of our models, 1 not in our catalogue.",
        "Rows priced: 7 (3 differ, 1 new, 3 unchanged, 0 held, 0 kept as negotiated); 0 rows ambiguous.",
        "Provider costs that differ (3), largest rise first:",
        "  sora-2-pro / 1080p / seconds from openai: 0.5 USD → 0.7 USD per 1 (+40.0%)  "
        "[openai/sora-2-pro output_cost_per_second_1080p]",
        "  luma-ray-3 / 720p / seconds from luma: 0.71 USD → 0.8 USD per 5 (+12.7%)  "
        "[luma/ray-3 output_cost_per_second_720p]",
    ]
    assert (
        "  video: veo-3 / audio / seconds: 60 credits per 1; cost 0.75 USD → 0.4 USD; at lowest 65.1% → 81.4%; "
        "at basis 75.0% → 86.7% (target 75.0%)"
    ) in out
    assert (
        "  video: sora-2-pro / 1080p / seconds: 35 credits per 1; cost 0.5 USD → 0.7 USD; at lowest 60.1% → 44.1%; "
        "at basis 71.4% → 60.0% (target 75.0%)  [Below target]"
    ) in out
    assert (
        "  a batch-API price; the catalogue holds the standard price (1): gpt-4-turbo input_cost_per_token_batches"
    ) in out
    assert "Not in our catalogue (1): mistral/mistral-large-latest" in out
    assert err == ""  # five entries: no progress to show


def test_progress_is_shown_on_long_files(demo, tmp_path):
    path = tmp_path / "long.json"
    path.write_bytes(body({f"other/model-{number}": {"input_cost_per_token": 1e-06} for number in range(1234)}))

    _, err = run(str(path), "--dry-run")

    assert err.splitlines() == ["  500 / 1,234 entries", "  1,000 / 1,234 entries", "  1,234 / 1,234 entries"]


# ---- applying --------------------------------------------------------------------------------------


def test_applying_writes_the_changed_and_new_costs_with_who_and_why(aliases):
    editor = staff_in("editor")
    notes = cost("veo-3", "audio", "seconds").notes

    report, result = price_list_apply(body(), user=editor, filename=FILENAME)

    veo = cost("veo-3", "audio", "seconds")
    assert (veo.price, veo.currency.code, veo.as_of, veo.source_url, veo.notes) == (
        Decimal("0.4"),
        "USD",
        timezone.localdate(),
        SOURCE_URL,
        notes,
    )
    assert (cost("luma-ray-3", "720p", "seconds").price, cost("luma-ray-3", "720p", "seconds").per_units) == (
        Decimal("0.8"),
        5,
    )
    assert cost("sora-2-pro", "1080p", "seconds").price == Decimal("0.7")
    cached = cost("gpt-4-turbo", None, "cached_input_tokens")
    assert (cached.price, cached.per_units, cached.notes) == (
        Decimal("5"),
        1_000_000,
        "From LiteLLM's price list: gpt-4-turbo (cache_read_input_token_cost).",
    )
    latest = veo.history.first()
    assert (latest.history_user, latest.history_change_reason) == (editor, f"Price list {FILENAME}")
    assert (dict(result.updated), dict(result.created)) == ({"provider costs": 3}, {"provider costs": 1})
    assert report.changes_draft


def test_applying_writes_only_the_provider_costs_it_changes(aliases):
    history = {label: len(rows) for label, rows in snapshot().items() if ".Historical" in label}

    price_list_apply(body(), user=None, filename=FILENAME)

    after = {label: len(rows) for label, rows in snapshot().items() if ".Historical" in label}
    grown = {label: after[label] - history[label] for label in after if after[label] != history[label]}
    assert grown == {"rates.HistoricalProviderCost": 4}


def test_applying_the_same_list_again_changes_nothing(aliases):
    price_list_apply(body(), user=None, filename=FILENAME)
    before = snapshot()

    report, result = price_list_apply(body(), user=None, filename=FILENAME)

    assert (report.changes, report.added, report.unchanged) == ((), (), 7)
    assert not result.changed
    assert snapshot() == before


def test_the_command_applies_and_says_what_it_wrote(aliases, price_file):
    out, _ = run(str(price_file), "--user", staff_in("editor").username)

    assert out.splitlines()[-1] == (
        "Written into the draft: provider costs: 1 created, 3 updated. Review it with "
        "`python manage.py publish --dry-run`, then publish."
    )
    assert cost("veo-3", "audio", "seconds").history.first().history_user.username == "editor"


def test_apply_refuses_when_the_draft_moved_since_the_report(aliases):
    report = price_list_check(body(), filename=FILENAME)
    rate = AIModel.objects.get(slug="sora-2").credit_rates.get()
    rate.credits = Decimal("11")
    rate.save()
    before = snapshot()

    with pytest.raises(DraftChanged):
        price_list_apply(body(), user=None, filename=FILENAME, reviewed_draft_sha256=report.draft_sha256)

    assert snapshot() == before


def test_a_long_file_name_is_cut_to_the_history_reason_column():
    assert len(reason_for("x" * 300 + ".json")) == 100


# ---- the provider filter -------------------------------------------------------------------------


def test_the_provider_filter_prices_only_that_providers_models(aliases, price_file):
    report = price_list_check(body(), providers=["openai"], filename=FILENAME)

    assert {change.model for change in report.changes} == {"sora-2-pro"}
    assert set(report.excluded) == {"gemini/veo-3.0-generate-preview", "luma/ray-3"}

    out, _ = run(str(price_file), "--provider", "openai", "--provider", "luma")

    assert cost("luma-ray-3", "720p", "seconds").price == Decimal("0.8")
    assert cost("veo-3", "audio", "seconds").price == Decimal("0.75")


def test_an_unknown_provider_is_refused_naming_it(aliases, price_file):
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        run(str(price_file), "--provider", "nope")

    assert str(refused.value) == (
        f"{FILENAME}: there is no provider 'nope'; the providers are: anthropic, elevenlabs, fal, gateway, google, "
        "kling, luma, minimax, openai, replicate, supabase; nothing was written"
    )
    assert snapshot() == before


def test_a_draft_without_usd_is_refused(demo):
    from billingcfg.models import Currency

    Currency.objects.filter(code="USD").update(code="USX")

    with pytest.raises(ImportRefused, match="the draft has no currency USD, which LiteLLM's prices are in"):
        price_list_check(body(), filename=FILENAME)


# ---- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b'{"gpt-4-turbo": ', "not JSON: Expecting value at line 1 column 17"),
        (
            json.dumps({"gpt-4-turbo": {"input_cost_per_token": "cheap"}}).encode(),
            "entry 'gpt-4-turbo' / input_cost_per_token: \"cheap\" is not a number; a price is a JSON number such as "
            "0.0000025",
        ),
        (
            json.dumps({"openai/sora-2-pro": {"output_cost_per_second_1080p": -0.5}}).encode(),
            "entry 'openai/sora-2-pro' / output_cost_per_second_1080p: -0.5 is negative; a price is 0 or more",
        ),
        (
            b'{"gpt-4-turbo": ' + b"[" * 5000 + b"]" * 5000 + b"}",
            "lists and objects nested more than 64 deep (the most this reads) at line 1 column 80",
        ),
        (
            b'{"gpt-4-turbo": {"input_cost_per_token": 1e99999999999999999999}}',
            "entry 'gpt-4-turbo' / input_cost_per_token: 1e99999999999999999999 is not a number a price can be; a price "
            "has at most 100 digits and lies between 1e-1000 and 1e+1000",
        ),
    ],
)
def test_bad_input_is_refused_with_its_place_and_writes_nothing(aliases, tmp_path, data, message):
    path = tmp_path / "prices.json"
    path.write_bytes(data)
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        run(str(path))

    assert str(refused.value) == f"prices.json: {message}; nothing was written"
    assert snapshot() == before


def test_a_file_over_the_size_limit_is_refused(aliases, price_file, settings):
    settings.IMPORT_MAX_BYTES = 100
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        run(str(price_file))
    with pytest.raises(PriceListInvalid, match=r"the largest file an import takes is 100 bytes \(IMPORT_MAX_BYTES\)"):
        price_list_apply(body(), user=None, filename=FILENAME)

    assert str(refused.value) == (
        f"'{FILENAME}' is {price_file.stat().st_size:,} bytes; the largest file an "
        "import takes is 100 bytes (IMPORT_MAX_BYTES); nothing was written"
    )
    assert snapshot() == before


def test_a_missing_file_is_refused(demo, tmp_path):
    with pytest.raises(CommandError, match="cannot be read"):
        run(str(tmp_path / "absent.json"))


def test_long_context_prices_become_cliff_tiers_that_price_a_long_request(demo):
    from billingcfg.releases.document import catalogue_from_document, draft_configuration
    from billingcfg.releases.services import draft_check
    from pricing.costing import usage_cost

    errors_before = [str(problem) for problem in draft_check().validation.errors]
    entries = {
        "gemini/gemini-2.5-flash": {
            "litellm_provider": "gemini",
            "input_cost_per_token": 3e-07,
            "output_cost_per_token": 2.5e-06,
            "input_cost_per_token_above_200k_tokens": 6e-07,
            "output_cost_per_token_above_200k_tokens": 5e-06,
        }
    }

    price_list_apply(body(entries), user=None, filename="gemini.json")

    tiers = ProviderCost.objects.filter(model__slug="gemini-2-5-flash", tier_threshold__isnull=False)
    assert sorted(
        (t.supplier.slug, t.meter.slug, t.price, t.tier_threshold, t.tier_mode, t.tier_meter.slug) for t in tiers
    ) == [
        ("google", "input_tokens", Decimal("0.6"), Decimal(200000), "cliff", "input_tokens"),
        ("google", "output_tokens", Decimal("5"), Decimal(200000), "cliff", "input_tokens"),
    ]
    base = cost("gemini-2-5-flash", None, "input_tokens", "google")
    assert (base.price, base.price_high, base.currency.code) == (Decimal("0.3"), None, "USD")
    gateway = cost("gemini-2-5-flash", None, "input_tokens", "gateway")
    assert (gateway.price, gateway.price_high, gateway.currency.code) == (Decimal("0.3"), Decimal("0.6"), "CNY")
    model = catalogue_from_document(draft_configuration()).models["gemini-2-5-flash"]
    short = usage_cost(model, None, {"input_tokens": Decimal(100000), "output_tokens": Decimal(1000)})
    long = usage_cost(model, None, {"input_tokens": Decimal(300000), "output_tokens": Decimal(1000)})
    # 100k × $0.30/1M + 1k × $2.50/1M; past 200k input both prices switch: 300k × $0.60/1M + 1k × $5/1M.
    assert (short.total.high, long.total.high) == (Decimal("0.0325"), Decimal("0.185"))
    assert [str(problem) for problem in draft_check().validation.errors] == errors_before
