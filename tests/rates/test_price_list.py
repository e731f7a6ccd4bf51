"""A LiteLLM price list read and mapped onto the catalogue without a database:
which entries are ours (alias first, then the name made a slug), which meter and
variant each price goes to, per 1M tokens where the unit is a token, what is
skipped and why, and the bad files refused with the entry, key and rule."""

import json
from decimal import Decimal

import pytest

from rates.price_list import (
    Alias,
    Catalogue,
    CatalogueModel,
    CatalogueVariant,
    PriceListInvalid,
    ProposedCost,
    fit_price,
    name_slug,
    parse_price_list,
    price_list_map,
)

M = 1_000_000

# LiteLLM's shape, one entry per kind of price the import maps.
LITELLM = {
    "sample_spec": {
        "max_tokens": "LEGACY parameter. set to max_output_tokens if provider specifies it.",
        "input_cost_per_token": 0.0,
        "output_cost_per_token": 0.0,
        "litellm_provider": "one of https://docs.litellm.ai/docs/providers",
        "mode": "one of: chat, embedding, completion, image_generation, audio_transcription, audio_speech",
    },
    "gpt-4-turbo": {
        "max_tokens": 4096,
        "input_cost_per_token": 1e-05,
        "output_cost_per_token": 3e-05,
        "cache_read_input_token_cost": 5e-06,
        "input_cost_per_token_batches": 5e-06,
        "litellm_provider": "openai",
        "mode": "chat",
        "supports_vision": True,
    },
    "gemini/gemini-2.5-pro": {
        "input_cost_per_token": 1.25e-06,
        "output_cost_per_token": 1e-05,
        "input_cost_per_token_above_200k_tokens": 2.5e-06,
        "output_cost_per_token_above_200k_tokens": 1.5e-05,
        "cache_creation_input_token_cost": 3e-07,
        "search_context_cost_per_query": {"search_context_size_low": 0.035},
        "litellm_provider": "gemini",
        "mode": "chat",
    },
    "openai/sora-2-pro": {
        "output_cost_per_second_720p": 0.3,
        "output_cost_per_second_1080p": 0.55,
        "output_cost_per_second_4k": 0.9,
        "litellm_provider": "openai",
        "mode": "video_generation",
    },
    "vertex_ai/imagen-4.0-generate-001": {
        "output_cost_per_image": 0.04,
        "litellm_provider": "vertex_ai-image-models",
        "mode": "image_generation",
    },
    "gemini/veo-3.0-generate-preview": {
        "output_cost_per_second": 0.4,
        "litellm_provider": "gemini",
        "mode": "video_generation",
    },
    "dall-e-3": {"input_cost_per_pixel": 4.0054321e-08, "output_cost_per_pixel": 0.0, "mode": "image_generation"},
    "mistral/mistral-large-latest": {"input_cost_per_token": 2e-06, "output_cost_per_token": 6e-06},
}

METERS = frozenset({"input_tokens", "output_tokens", "cached_input_tokens", "seconds", "images", "megapixels"})


def catalogue(*, meters=METERS, aliases=(), providers=None, **extra) -> Catalogue:
    models = {
        "gpt-4-turbo": CatalogueModel(
            "gpt-4-turbo",
            "openai",
            (CatalogueVariant("default"),),
            frozenset({(None, "input_tokens"), (None, "output_tokens")}),
        ),
        "gemini-2-5-pro": CatalogueModel("gemini-2-5-pro", "google", (CatalogueVariant("default"),)),
        "sora-2-pro": CatalogueModel(
            "sora-2-pro",
            "openai",
            (CatalogueVariant("720p", "720p"), CatalogueVariant("1080p", "1080p")),
            frozenset({("720p", "seconds"), ("1080p", "seconds")}),
        ),
        "imagen-4-0-generate-001": CatalogueModel("imagen-4-0-generate-001", "google", (CatalogueVariant("default"),)),
        "veo-3": CatalogueModel(
            "veo-3",
            "google",
            (CatalogueVariant("audio"), CatalogueVariant("no-audio")),
            frozenset({("audio", "seconds"), ("no-audio", "seconds")}),
        ),
        "dall-e-3": CatalogueModel("dall-e-3", "openai", (CatalogueVariant("default"),)),
        **extra,
    }
    return Catalogue(
        models=models,
        meters=frozenset(meters),
        aliases={alias.name: alias for alias in aliases},
        providers=None if providers is None else frozenset(providers),
    )


def read(entries: dict) -> dict:
    """The dict as its file's bytes, read back the way the import reads a file."""
    return parse_price_list(json.dumps(entries).encode())


def mapped(entries=None, **kwargs):
    return price_list_map(read(LITELLM if entries is None else entries), catalogue(**kwargs))


def rows(mapping) -> dict[tuple, tuple]:
    """Proposed rows as {(model, variant, meter, tier): (price, per_units, tier_mode, tier_meter)}, prices as text."""
    return {
        cost.row_key: (format(cost.price.normalize(), "f"), cost.per_units, cost.tier_mode, cost.tier_meter)
        for cost in mapping.costs
    }


def skipped(mapping) -> dict[tuple, str]:
    return {(item.entry, item.key): item.reason for item in mapping.skipped}


# ---- matching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("gemini/gemini-2.5-flash", "gemini-2-5-flash"),
        ("gpt-3.5-turbo", "gpt-3-5-turbo"),
        ("openrouter/openai/gpt-4_turbo", "gpt-4-turbo"),
        ("Claude 3 Haiku", "claude-3-haiku"),
    ],
)
def test_an_entry_name_is_made_a_slug_from_its_last_segment(name, slug):
    assert name_slug(name) == slug


def test_entries_are_matched_by_name_and_the_rest_are_not_in_our_catalogue():
    mapping = mapped()

    assert {(entry.name, entry.model, entry.via) for entry in mapping.matched} == {
        ("gpt-4-turbo", "gpt-4-turbo", "name"),
        ("gemini/gemini-2.5-pro", "gemini-2-5-pro", "name"),
        ("openai/sora-2-pro", "sora-2-pro", "name"),
        ("vertex_ai/imagen-4.0-generate-001", "imagen-4-0-generate-001", "name"),
        ("dall-e-3", "dall-e-3", "name"),
    }
    assert mapping.entries == 7  # sample_spec is documentation, not an entry
    assert mapping.unmatched == ("gemini/veo-3.0-generate-preview", "mistral/mistral-large-latest")


def test_an_alias_matches_an_entry_whose_name_differs_and_names_the_variant():
    mapping = mapped(aliases=[Alias("gemini/veo-3.0-generate-preview", "veo-3", "no-audio")])

    assert rows(mapping)[("veo-3", "no-audio", "seconds", None)] == ("0.4", 1, "", None)
    assert "gemini/veo-3.0-generate-preview" not in mapping.unmatched


def test_an_aliased_model_is_priced_only_from_its_alias():
    """Several entries can name one model (azure/, openrouter/ …): an alias picks the one that holds."""
    entries = {
        "gpt-4-turbo": LITELLM["gpt-4-turbo"],
        "azure/gpt-4-turbo": {"input_cost_per_token": 2e-05, "output_cost_per_token": 4e-05},
    }

    mapping = mapped(entries, aliases=[Alias("azure/gpt-4-turbo", "gpt-4-turbo")])

    assert rows(mapping)[("gpt-4-turbo", None, "input_tokens", None)][0] == "20"
    assert skipped(mapping)[("gpt-4-turbo", "")] == (
        "gpt-4-turbo is priced from its alias azure/gpt-4-turbo; this entry is ignored"
    )


def test_entries_disagreeing_on_a_row_price_it_not_at_all():
    entries = {
        "gpt-4-turbo": {"input_cost_per_token": 1e-05},
        "openrouter/openai/gpt-4-turbo": {"input_cost_per_token": 1.1e-05},
        "azure/gpt-4-turbo": {"input_cost_per_token": 1e-05},
    }

    mapping = mapped(entries)

    assert mapping.costs == ()
    assert skipped(mapping)[("gpt-4-turbo", "input_cost_per_token")] == (
        "entries disagree on gpt-4-turbo / all variants / input_tokens (gpt-4-turbo input_cost_per_token = 10, "
        "openrouter/openai/gpt-4-turbo input_cost_per_token = 11, azure/gpt-4-turbo input_cost_per_token = 10); "
        "an alias naming the entry to use decides"
    )


def test_entries_agreeing_on_a_price_give_it_once():
    entries = {"gpt-4-turbo": {"input_cost_per_token": 1e-05}, "azure/gpt-4-turbo": {"input_cost_per_token": 1e-05}}

    assert rows(mapped(entries)) == {("gpt-4-turbo", None, "input_tokens", None): ("10", M, "", None)}


def test_the_provider_filter_leaves_other_providers_models_out():
    mapping = mapped(providers=["google"])

    assert {entry.model for entry in mapping.matched} == {"gemini-2-5-pro", "imagen-4-0-generate-001"}
    assert set(mapping.excluded) == {"gpt-4-turbo", "openai/sora-2-pro", "dall-e-3"}
    assert {cost.model for cost in mapping.costs} == {"gemini-2-5-pro", "imagen-4-0-generate-001"}


# ---- prices → meters ----------------------------------------------------------------------------


def test_token_prices_are_per_1m_tokens():
    assert {key: value for key, value in rows(mapped()).items() if key[0] == "gpt-4-turbo"} == {
        ("gpt-4-turbo", None, "input_tokens", None): ("10", M, "", None),
        ("gpt-4-turbo", None, "output_tokens", None): ("30", M, "", None),
        ("gpt-4-turbo", None, "cached_input_tokens", None): ("5", M, "", None),
    }


def test_long_context_prices_are_cliff_tiers_measured_on_input_tokens():
    assert {key: value for key, value in rows(mapped()).items() if key[0] == "gemini-2-5-pro"} == {
        ("gemini-2-5-pro", None, "input_tokens", None): ("1.25", M, "", None),
        ("gemini-2-5-pro", None, "output_tokens", None): ("10", M, "", None),
        ("gemini-2-5-pro", None, "input_tokens", Decimal(200000)): ("2.5", M, "cliff", "input_tokens"),
        ("gemini-2-5-pro", None, "output_tokens", Decimal(200000)): ("15", M, "cliff", "input_tokens"),
    }


def test_per_second_prices_go_to_the_variant_at_their_resolution():
    mapping = mapped()

    assert {key: value for key, value in rows(mapping).items() if key[0] == "sora-2-pro"} == {
        ("sora-2-pro", "720p", "seconds", None): ("0.3", 1, "", None),
        ("sora-2-pro", "1080p", "seconds", None): ("0.55", 1, "", None),
    }
    assert skipped(mapping)[("openai/sora-2-pro", "output_cost_per_second_4k")] == (
        "sora-2-pro has no variant whose slug or resolution is 4k"
    )


def test_image_and_pixel_prices():
    found = rows(mapped())

    assert found[("imagen-4-0-generate-001", None, "images", None)] == ("0.04", 1, "", None)
    # $0.000000040054321 per pixel is $0.040054321 per megapixel: 9 places, the column keeps 8.
    assert found[("dall-e-3", None, "megapixels", None)] == ("0.04005432", 1, "", None)
    cost = next(cost for cost in mapped().costs if cost.meter == "megapixels")
    assert cost.unrounded == Decimal("0.040054321")


def test_a_price_for_no_variant_is_skipped_when_the_model_prices_that_meter_per_variant():
    """An all-variants row would be shadowed by Veo 3's per-variant rows and change nothing."""
    mapping = mapped(aliases=[Alias("gemini/veo-3.0-generate-preview", "veo-3")])

    assert not [cost for cost in mapping.costs if cost.model == "veo-3"]
    assert skipped(mapping)[("gemini/veo-3.0-generate-preview", "output_cost_per_second")] == (
        "veo-3 prices seconds per variant (audio, no-audio) and this entry names none; "
        "an alias with a variant says which"
    )


def test_a_price_for_no_variant_goes_to_the_only_variant_of_a_single_variant_model():
    sora = CatalogueModel("sora-2", "openai", (CatalogueVariant("720p", "720p"),), frozenset({("720p", "seconds")}))
    entries = {"openai/sora-2": {"output_cost_per_video_per_second": 0.1}}

    assert rows(mapped(entries, **{"sora-2": sora})) == {("sora-2", "720p", "seconds", None): ("0.1", 1, "", None)}


def test_keys_it_cannot_represent_are_skipped_with_the_reason():
    found = skipped(mapped())

    assert found == {
        ("gpt-4-turbo", "input_cost_per_token_batches"): "a batch-API price; the catalogue holds the standard price",
        (
            "gemini/gemini-2.5-pro",
            "cache_creation_input_token_cost",
        ): "a cache-write price; the catalogue has no meter for cache writes",
        ("gemini/gemini-2.5-pro", "search_context_cost_per_query"): "a table of prices, not one price",
        ("openai/sora-2-pro", "output_cost_per_second_4k"): "sora-2-pro has no variant whose slug or resolution is 4k",
        (
            "dall-e-3",
            "output_cost_per_pixel",
        ): "not a price the import maps (it maps token, cached-token, long-context, per-second, per-image and "
        "per-pixel prices)",
    }
    # Not costs, so neither mapped nor listed: max_tokens, supports_vision, litellm_provider, mode.


def test_a_meter_the_catalogue_lacks_is_skipped_never_created():
    mapping = mapped(meters=METERS - {"images"})

    assert skipped(mapping)[("vertex_ai/imagen-4.0-generate-001", "output_cost_per_image")] == (
        "no meter 'images' in the catalogue"
    )
    assert not [cost for cost in mapping.costs if cost.meter == "images"]


def test_a_null_price_is_skipped():
    mapping = mapped({"gpt-4-turbo": {"input_cost_per_token": None, "output_cost_per_token": 3e-05}})

    assert skipped(mapping) == {("gpt-4-turbo", "input_cost_per_token"): "no price given (null)"}
    assert list(rows(mapping)) == [("gpt-4-turbo", None, "output_tokens", None)]


def test_float_noise_is_rounded_to_the_columns_places():
    mapping = mapped({"gpt-4-turbo": {"input_cost_per_token": 2.5000000000000002e-06}})

    assert rows(mapping) == {("gpt-4-turbo", None, "input_tokens", None): ("2.5", M, "", None)}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0.3"), (Decimal("0.3"), False)),
        (Decimal("0.000000001"), "0.000000001 is below the smallest price the catalogue holds (0.00000001)"),
        (Decimal("10000000"), "10000000 is above the largest price the catalogue holds (9999999.99999999)"),
    ],
)
def test_fit_price(value, expected):
    assert fit_price(value) == expected


def test_progress_is_reported_every_500_entries_and_at_the_end():
    entries = {f"model-{number}": {"input_cost_per_token": 1e-06} for number in range(1234)}
    seen = []

    price_list_map(read(entries), catalogue(), on_progress=lambda done, total: seen.append((done, total)))

    assert seen == [(500, 1234), (1000, 1234), (1234, 1234)]


def test_a_proposed_row_knows_its_key():
    cost = ProposedCost(
        "m", None, "input_tokens", Decimal("2.5"), M, Decimal(200000), "cliff", "input_tokens", "e", "k"
    )
    assert cost.row_key == ("m", None, "input_tokens", Decimal(200000))
    assert cost.unit_price == Decimal("0.0000025")


# ---- bad files -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"  \n", "the file is empty"),
        (b"{not json", "not JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
        (b'{"gpt-4-turbo": {"input_cost_per_token": NaN}}', "not JSON: NaN is not a number JSON allows"),
        (b"\xff\xfe{}", "the file is not UTF-8 text (byte 0)"),
        (
            b'[{"input_cost_per_token": 1e-06}]',
            "not a LiteLLM price list: the file must hold one JSON object of entries keyed by model name, not a list",
        ),
    ],
)
def test_a_file_that_is_not_a_price_list_is_refused(data, message):
    with pytest.raises(PriceListInvalid) as refused:
        parse_price_list(data)
    assert str(refused.value) == message


def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(PriceListInvalid) as refused:
        parse_price_list(b"{}" + b" " * 1000, max_bytes=1000)
    assert str(refused.value) == (
        "the file is 1,002 bytes; the largest file an import takes is 1,000 bytes (IMPORT_MAX_BYTES)"
    )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"input_cost_per_token": "cheap"},
            "entry 'gpt-4-turbo' / input_cost_per_token: \"cheap\" is not a number; a price is a JSON number such as "
            "0.0000025",
        ),
        (
            {"output_cost_per_token": True},
            "entry 'gpt-4-turbo' / output_cost_per_token: true is not a number; a price is a JSON number such as 0.0000025",
        ),
        (
            {"input_cost_per_token": -1e-06},
            "entry 'gpt-4-turbo' / input_cost_per_token: -0.000001 is negative; a price is 0 or more",
        ),
    ],
)
def test_a_bad_price_is_refused_naming_the_entry_and_key(entry, message):
    with pytest.raises(PriceListInvalid) as refused:
        mapped({"gpt-4-turbo": entry})
    assert str(refused.value) == message


def test_every_bad_price_is_listed_even_in_entries_we_do_not_sell():
    entries = {
        "gpt-4-turbo": {"input_cost_per_token": "cheap"},
        "unknown/model": {"output_cost_per_image": -1},
        "not-an-entry": 3,
    }

    with pytest.raises(PriceListInvalid) as refused:
        mapped(entries)

    assert [(problem.entry, problem.key) for problem in refused.value.problems] == [
        ("gpt-4-turbo", "input_cost_per_token"),
        ("unknown/model", "output_cost_per_image"),
        ("not-an-entry", ""),
    ]
    assert str(refused.value.problems[2]) == (
        "entry 'not-an-entry': an entry must be an object of keys and prices, not a number"
    )


def test_a_file_nested_deeper_than_the_limit_is_refused_before_it_is_parsed():
    with pytest.raises(PriceListInvalid) as refused:
        parse_price_list(b'{"gpt-4-turbo": {"input_cost_per_token": ' + b"[" * 5000 + b"]" * 5000 + b"}}")
    assert str(refused.value) == (
        "lists and objects nested more than 64 deep (the most this reads) at line 1 column 104"
    )


def test_a_file_nested_exactly_to_the_limit_is_read():
    assert parse_price_list(b'{"gpt-4-turbo": {"tiers": ' + b"[" * 62 + b"]" * 62 + b"}}") == {
        "gpt-4-turbo": {"tiers": json.loads("[" * 62 + "]" * 62)}
    }


@pytest.mark.parametrize(
    ("figure", "shown"),
    [
        ("1e99999999999999999999", "1e99999999999999999999"),  # beyond any Decimal
        ("1e999999999999999999", "1e999999999999999999"),  # a Decimal, but × 1,000,000 overflows
        ("-1e-99999999999999999999", "-1e-99999999999999999999"),
        ("1" * 400, "1" * 40 + "… (400 characters)"),
    ],
)
def test_a_price_beyond_what_a_figure_can_be_is_refused_naming_the_entry_and_key(figure, shown):
    data = b'{"gpt-4-turbo": {"input_cost_per_token": ' + figure.encode() + b', "max_tokens": 1e99999999999999999999}}'

    with pytest.raises(PriceListInvalid) as refused:
        price_list_map(parse_price_list(data), catalogue())

    assert str(refused.value) == (
        f"entry 'gpt-4-turbo' / input_cost_per_token: {shown} is not a number a price can be; a price has at most "
        "100 digits and lies between 1e-1000 and 1e+1000"
    )
