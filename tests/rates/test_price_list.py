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
    SupplierName,
    fit_price,
    name_slug,
    parse_price_list,
    pattern_problem,
    price_list_map,
    supplier_of,
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
    "dall-e-3": {
        "input_cost_per_pixel": 4.0054321e-08,
        "output_cost_per_pixel": 0.0,
        "litellm_provider": "openai",
        "mode": "image_generation",
    },
    "mistral/mistral-large-latest": {"input_cost_per_token": 2e-06, "output_cost_per_token": 6e-06},
}

METERS = frozenset({"input_tokens", "output_tokens", "cached_input_tokens", "seconds", "images", "megapixels"})
# LiteLLM's providers → our suppliers, as the demo maps them.
SUPPLIER_NAMES = (
    SupplierName("openai", "openai"),
    SupplierName("gemini", "google"),
    SupplierName("vertex_ai-*", "google"),
    SupplierName("azure", "azure"),
)


def catalogue(*, meters=METERS, aliases=(), providers=None, supplier_names=SUPPLIER_NAMES, **extra) -> Catalogue:
    models = {
        "gpt-4-turbo": CatalogueModel(
            "gpt-4-turbo",
            "openai",
            (CatalogueVariant("default"),),
            frozenset({(None, "input_tokens", "openai"), (None, "output_tokens", "openai")}),
        ),
        "gemini-2-5-pro": CatalogueModel("gemini-2-5-pro", "google", (CatalogueVariant("default"),)),
        "sora-2-pro": CatalogueModel(
            "sora-2-pro",
            "openai",
            (CatalogueVariant("720p", "720p"), CatalogueVariant("1080p", "1080p")),
            frozenset({("720p", "seconds", "openai"), ("1080p", "seconds", "openai")}),
        ),
        "imagen-4-0-generate-001": CatalogueModel("imagen-4-0-generate-001", "google", (CatalogueVariant("default"),)),
        "veo-3": CatalogueModel(
            "veo-3",
            "google",
            (CatalogueVariant("audio"), CatalogueVariant("no-audio")),
            frozenset({("audio", "seconds", "google"), ("no-audio", "seconds", "google")}),
        ),
        "dall-e-3": CatalogueModel("dall-e-3", "openai", (CatalogueVariant("default"),)),
        **extra,
    }
    return Catalogue(
        models=models,
        meters=frozenset(meters),
        aliases={alias.name: alias for alias in aliases},
        providers=None if providers is None else frozenset(providers),
        supplier_names=tuple(supplier_names),
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

    assert rows(mapping)[("veo-3", "no-audio", "seconds", "google", None)] == ("0.4", 1, "", None)
    assert "gemini/veo-3.0-generate-preview" not in mapping.unmatched


def test_an_aliased_model_is_priced_for_that_supplier_only_from_its_alias():
    """Several entries of one supplier can name one model (a dated name, a region): an alias picks the one that holds."""
    entries = {
        "gpt-4-turbo": LITELLM["gpt-4-turbo"],
        "gpt-4-turbo-2024-04-09": {"input_cost_per_token": 2e-05, "litellm_provider": "openai"},
    }

    mapping = mapped(entries, aliases=[Alias("gpt-4-turbo-2024-04-09", "gpt-4-turbo")])

    assert rows(mapping) == {("gpt-4-turbo", None, "input_tokens", "openai", None): ("20", M, "", None)}
    assert skipped(mapping)[("gpt-4-turbo", "")] == (
        "gpt-4-turbo is priced for openai from its alias gpt-4-turbo-2024-04-09; this entry is ignored"
    )


def test_an_alias_leaves_the_models_other_suppliers_to_their_own_entries():
    azure = CatalogueModel(
        "gpt-4-turbo",
        "openai",
        (CatalogueVariant("default"),),
        frozenset({(None, "input_tokens", "openai"), (None, "input_tokens", "azure")}),
    )
    entries = {
        "gpt-4-turbo-2024-04-09": {"input_cost_per_token": 1e-05, "litellm_provider": "openai"},
        "azure/gpt-4-turbo": {"input_cost_per_token": 1.1e-05, "litellm_provider": "azure"},
    }

    mapping = mapped(entries, aliases=[Alias("gpt-4-turbo-2024-04-09", "gpt-4-turbo")], **{"gpt-4-turbo": azure})

    assert rows(mapping) == {
        ("gpt-4-turbo", None, "input_tokens", "openai", None): ("10", M, "", None),
        ("gpt-4-turbo", None, "input_tokens", "azure", None): ("11", M, "", None),
    }


def test_entries_of_one_supplier_disagreeing_on_a_row_are_ambiguous_and_price_it_not_at_all():
    entries = {
        "gpt-4-turbo": {"input_cost_per_token": 1e-05, "litellm_provider": "openai"},
        "openai/gpt-4-turbo": {"input_cost_per_token": 1.1e-05, "litellm_provider": "openai"},
        "gpt_4_turbo": {"input_cost_per_token": 1e-05, "litellm_provider": "openai"},
    }

    mapping = mapped(entries)

    assert mapping.costs == ()
    assert [(a.row_id, [(c.entry, c.key, format(c.price, "f")) for c in a.candidates]) for a in mapping.ambiguous] == [
        (
            "gpt-4-turbo/*/input_tokens/openai",
            [
                ("gpt-4-turbo", "input_cost_per_token", "10.00000000"),
                ("openai/gpt-4-turbo", "input_cost_per_token", "11.00000000"),
                ("gpt_4_turbo", "input_cost_per_token", "10.00000000"),
            ],
        )
    ]
    assert mapping.skipped == ()


def test_entries_agreeing_on_a_price_give_it_once_naming_every_entry():
    entries = {
        "gpt-4-turbo": {"input_cost_per_token": 1e-05, "litellm_provider": "openai"},
        "openai/gpt-4-turbo": {"input_cost_per_token": 1e-05, "litellm_provider": "openai"},
    }

    mapping = mapped(entries)

    assert rows(mapping) == {("gpt-4-turbo", None, "input_tokens", "openai", None): ("10", M, "", None)}
    assert (mapping.costs[0].entry, mapping.costs[0].agreeing) == ("gpt-4-turbo", ("openai/gpt-4-turbo",))
    assert mapping.ambiguous == ()


# ---- whose price an entry is ----------------------------------------------------------------------

# LiteLLM 1.109.1's entries for three of our Google models, as the issue found them priced.
RESELLERS = {
    "kyma/gemini-3-flash": {"input_cost_per_token": 6.75e-07, "litellm_provider": "kyma"},
    "replicate/google/gemini-3-pro": {"input_cost_per_token": 2e-06, "litellm_provider": "replicate"},
    "deepinfra/google/gemini-2.5-flash": {"input_cost_per_token": 3e-07, "litellm_provider": "deepinfra"},
    "gemini/gemini-2.5-flash": {"input_cost_per_token": 3e-07, "litellm_provider": "gemini"},
    "gemini-2.5-flash": {"input_cost_per_token": 3e-07, "litellm_provider": "vertex_ai-language-models"},
}
GOOGLE_MODELS = {
    slug: CatalogueModel(slug, "google", (CatalogueVariant("default"),), frozenset({(None, "input_tokens", "google")}))
    for slug in ("gemini-3-flash", "gemini-3-pro", "gemini-2-5-flash")
}


def test_a_resellers_entry_never_prices_a_suppliers_row():
    mapping = mapped(
        RESELLERS, supplier_names=(*SUPPLIER_NAMES, SupplierName("replicate", "replicate")), **GOOGLE_MODELS
    )

    assert rows(mapping) == {("gemini-2-5-flash", None, "input_tokens", "google", None): ("0.3", M, "", None)}
    assert (mapping.costs[0].entry, mapping.costs[0].agreeing) == ("gemini/gemini-2.5-flash", ("gemini-2.5-flash",))
    assert skipped(mapping) == {
        ("kyma/gemini-3-flash", ""): "its provider 'kyma' is none of our suppliers (no price-list supplier matches it)",
        ("deepinfra/google/gemini-2.5-flash", ""): (
            "its provider 'deepinfra' is none of our suppliers (no price-list supplier matches it)"
        ),
        ("replicate/google/gemini-3-pro", ""): (
            "its provider 'replicate' is our supplier replicate (replicate), which is not a supplier of gemini-3-pro: "
            "no cost of it from replicate, and its primary supplier is google"
        ),
    }


def test_a_primary_supplier_without_costs_yet_is_priced_from_its_entries():
    flash = CatalogueModel("gemini-3-flash", "google", (CatalogueVariant("default"),), primary_supplier="vertex")
    entries = {"vertex_ai/gemini-3-flash": {"input_cost_per_token": 5e-07, "litellm_provider": "vertex_ai-language"}}

    mapping = mapped(entries, supplier_names=[SupplierName("vertex_ai-*", "vertex")], **{"gemini-3-flash": flash})

    assert rows(mapping) == {("gemini-3-flash", None, "input_tokens", "vertex", None): ("0.5", M, "", None)}


def test_an_entry_naming_no_provider_is_no_ones_price():
    mapping = mapped({"gpt-4-turbo": {"input_cost_per_token": 1e-05}})

    assert mapping.costs == ()
    assert skipped(mapping) == {
        ("gpt-4-turbo", ""): "the entry names no provider (litellm_provider), so whose price it is cannot be told"
    }


def test_without_price_list_suppliers_no_entry_is_anyones_price():
    mapping = mapped(supplier_names=())

    assert (mapping.costs, mapping.matched) == ((), ())
    assert {item.key for item in mapping.skipped} == {""}


@pytest.mark.parametrize(
    ("provider", "supplier"),
    [
        ("vertex_ai-language-models", "vertex"),  # the longer prefix
        ("vertex_ai-anthropic_models", "google"),
        ("vertex_ai", "google-exact"),  # an exact name before any prefix
        ("vertex", None),
        ("openai", "openai"),
        ("openai_like", None),
    ],
)
def test_a_provider_maps_to_the_exact_name_then_the_longest_prefix(provider, supplier):
    names = [
        SupplierName("vertex_ai*", "google"),
        SupplierName("vertex_ai-language*", "vertex"),
        SupplierName("vertex_ai", "google-exact"),
        SupplierName("openai", "openai"),
    ]

    found = supplier_of(provider, names)

    assert (found.supplier if found else None) == supplier


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("", "a pattern names a price list's provider (openai) or a prefix ending in * (vertex_ai-*); it is empty"),
        ("  ", "a pattern names a price list's provider (openai) or a prefix ending in * (vertex_ai-*); it is empty"),
        (
            "*",
            "'*' alone would take every provider's prices as this supplier's; name the provider (openai) or a "
            "prefix ending in * (vertex_ai-*)",
        ),
        ("vertex_*_models", "'vertex_*_models': a * may only end a pattern, as in vertex_ai-*"),
        ("openai ", "'openai ' begins or ends with a space; a provider name has none"),
        ("openai", None),
        ("vertex_ai-*", None),
    ],
)
def test_a_pattern_that_is_empty_or_takes_everything_is_refused(pattern, problem):
    assert pattern_problem(pattern) == problem


def test_the_provider_filter_leaves_other_providers_models_out():
    mapping = mapped(providers=["google"])

    assert {entry.model for entry in mapping.matched} == {"gemini-2-5-pro", "imagen-4-0-generate-001"}
    assert set(mapping.excluded) == {"gpt-4-turbo", "openai/sora-2-pro", "dall-e-3"}
    assert {cost.model for cost in mapping.costs} == {"gemini-2-5-pro", "imagen-4-0-generate-001"}


# ---- prices → meters ----------------------------------------------------------------------------


def test_token_prices_are_per_1m_tokens():
    assert {key: value for key, value in rows(mapped()).items() if key[0] == "gpt-4-turbo"} == {
        ("gpt-4-turbo", None, "input_tokens", "openai", None): ("10", M, "", None),
        ("gpt-4-turbo", None, "output_tokens", "openai", None): ("30", M, "", None),
        ("gpt-4-turbo", None, "cached_input_tokens", "openai", None): ("5", M, "", None),
    }


def test_long_context_prices_are_cliff_tiers_measured_on_input_tokens():
    assert {key: value for key, value in rows(mapped()).items() if key[0] == "gemini-2-5-pro"} == {
        ("gemini-2-5-pro", None, "input_tokens", "google", None): ("1.25", M, "", None),
        ("gemini-2-5-pro", None, "output_tokens", "google", None): ("10", M, "", None),
        ("gemini-2-5-pro", None, "input_tokens", "google", Decimal(200000)): ("2.5", M, "cliff", "input_tokens"),
        ("gemini-2-5-pro", None, "output_tokens", "google", Decimal(200000)): ("15", M, "cliff", "input_tokens"),
    }


def test_per_second_prices_go_to_the_variant_at_their_resolution():
    mapping = mapped()

    assert {key: value for key, value in rows(mapping).items() if key[0] == "sora-2-pro"} == {
        ("sora-2-pro", "720p", "seconds", "openai", None): ("0.3", 1, "", None),
        ("sora-2-pro", "1080p", "seconds", "openai", None): ("0.55", 1, "", None),
    }
    assert skipped(mapping)[("openai/sora-2-pro", "output_cost_per_second_4k")] == (
        "sora-2-pro has no variant whose slug or resolution is 4k"
    )


def test_image_and_pixel_prices():
    found = rows(mapped())

    assert found[("imagen-4-0-generate-001", None, "images", "google", None)] == ("0.04", 1, "", None)
    # $0.000000040054321 per pixel is $0.040054321 per megapixel: 9 places, the column keeps 8.
    assert found[("dall-e-3", None, "megapixels", "openai", None)] == ("0.04005432", 1, "", None)
    cost = next(cost for cost in mapped().costs if cost.meter == "megapixels")
    assert cost.unrounded == Decimal("0.040054321")


def test_a_price_for_no_variant_is_skipped_when_the_model_prices_that_meter_per_variant():
    """An all-variants row would be shadowed by Veo 3's per-variant rows and change nothing."""
    mapping = mapped(aliases=[Alias("gemini/veo-3.0-generate-preview", "veo-3")])

    assert not [cost for cost in mapping.costs if cost.model == "veo-3"]
    assert skipped(mapping)[("gemini/veo-3.0-generate-preview", "output_cost_per_second")] == (
        "veo-3 prices seconds from google per variant (audio, no-audio) and this entry names none; "
        "an alias with a variant says which"
    )


def test_a_price_for_no_variant_goes_to_the_only_variant_of_a_single_variant_model():
    sora = CatalogueModel(
        "sora-2", "openai", (CatalogueVariant("720p", "720p"),), frozenset({("720p", "seconds", "openai")})
    )
    entries = {"openai/sora-2": {"output_cost_per_video_per_second": 0.1, "litellm_provider": "openai"}}

    assert rows(mapped(entries, **{"sora-2": sora})) == {
        ("sora-2", "720p", "seconds", "openai", None): ("0.1", 1, "", None)
    }


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
    mapping = mapped(
        {"gpt-4-turbo": {"input_cost_per_token": None, "output_cost_per_token": 3e-05, "litellm_provider": "openai"}}
    )

    assert skipped(mapping) == {("gpt-4-turbo", "input_cost_per_token"): "no price given (null)"}
    assert list(rows(mapping)) == [("gpt-4-turbo", None, "output_tokens", "openai", None)]


def test_float_noise_is_rounded_to_the_columns_places():
    mapping = mapped({"gpt-4-turbo": {"input_cost_per_token": 2.5000000000000002e-06, "litellm_provider": "openai"}})

    assert rows(mapping) == {("gpt-4-turbo", None, "input_tokens", "openai", None): ("2.5", M, "", None)}


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
        "m", None, "input_tokens", Decimal("2.5"), M, Decimal(200000), "cliff", "input_tokens", "e", "k", supplier="s"
    )
    assert cost.row_key == ("m", None, "input_tokens", "s", Decimal(200000))
    assert cost.row_id == "m/*/input_tokens/s/above-200000"
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
