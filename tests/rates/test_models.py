"""Providers, models, variants, provider costs, credit rates and workflows: what
the database refuses, and what the admin says about it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import RestrictedError

from rates.models import CreditRate, ProviderCost, Variant, WorkflowStep
from tests import factories as f
from tests.billingcfg.breaches import Breach, assert_database_refuses

LONG_CONTEXT = Decimal("200000")


def _default_variant(model):
    return model.variants.get(is_default=True)


def _second(make, make_unsaved, *, with_variant: bool, **kwargs):
    """A second row on the same (model, variant or all variants, meter) as a saved first one."""
    model = f.ai_model()
    key = {"model": model, "meter": f.meter(), "variant": _default_variant(model) if with_variant else None}
    make(**key, **kwargs)
    return make_unsaved(**key, **kwargs)


BREACHES = [
    Breach(
        "variant_slug_unique_per_model",
        "default-twice",
        lambda: f.variant_unsaved(model=f.ai_model(), slug="default"),
    ),
    Breach(
        "variant_one_default_per_model",
        "second-default",
        lambda: f.variant_unsaved(model=f.ai_model(), slug="1080p", is_default=True),
    ),
    Breach(
        "provider_cost_price_not_negative", "price-negative", lambda: f.provider_cost_unsaved(price=Decimal("-0.01"))
    ),
    Breach(
        "provider_cost_band_ascends",
        "high-below-low",
        lambda: f.provider_cost_unsaved(price=Decimal("0.6"), price_high=Decimal("0.3")),
    ),
    Breach("provider_cost_per_units_positive", "per-0-units", lambda: f.provider_cost_unsaved(per_units=0)),
    Breach(
        "provider_cost_tier_complete",
        "threshold-without-mode",
        lambda: f.provider_cost_unsaved(tier_threshold=LONG_CONTEXT, tier_mode=""),
    ),
    Breach(
        "provider_cost_tier_complete",
        "mode-without-threshold",
        lambda: f.provider_cost_unsaved(tier_threshold=None, tier_mode="cliff"),
    ),
    Breach(
        "provider_cost_tier_complete",
        "threshold-0",
        lambda: f.provider_cost_unsaved(tier_threshold=Decimal("0"), tier_mode="cliff"),
    ),
    Breach(
        "provider_cost_tier_complete",
        "tier-meter-on-base-price",
        lambda: f.provider_cost_unsaved(tier_meter=f.meter()),
    ),
    Breach(
        "provider_cost_base_unique_per_variant",
        "two-base-prices-for-a-variant",
        lambda: _second(f.provider_cost, f.provider_cost_unsaved, with_variant=True),
    ),
    Breach(
        "provider_cost_base_unique_all_variants",
        "two-base-prices-for-all-variants",
        lambda: _second(f.provider_cost, f.provider_cost_unsaved, with_variant=False),
    ),
    Breach(
        "provider_cost_tier_unique_per_variant",
        "two-tiers-at-200k-for-a-variant",
        lambda: _second(
            f.provider_cost, f.provider_cost_unsaved, with_variant=True, tier_threshold=LONG_CONTEXT, tier_mode="cliff"
        ),
    ),
    Breach(
        "provider_cost_tier_unique_all_variants",
        "two-tiers-at-200k-for-all-variants",
        lambda: _second(
            f.provider_cost, f.provider_cost_unsaved, with_variant=False, tier_threshold=LONG_CONTEXT, tier_mode="cliff"
        ),
    ),
    Breach("credit_rate_credits_positive", "0-credits", lambda: f.credit_rate_unsaved(credits=Decimal("0"))),
    Breach("credit_rate_per_units_positive", "per-0-units", lambda: f.credit_rate_unsaved(per_units=0)),
    Breach("credit_rate_min_quantity_positive", "min-0", lambda: f.credit_rate_unsaved(min_quantity=Decimal("0"))),
    Breach("credit_rate_max_quantity_positive", "max-0", lambda: f.credit_rate_unsaved(max_quantity=Decimal("0"))),
    Breach(
        "credit_rate_min_not_above_max",
        "min-12-max-4",
        lambda: f.credit_rate_unsaved(min_quantity=Decimal("12"), max_quantity=Decimal("4")),
    ),
    Breach(
        "credit_rate_default_not_below_min",
        "default-2-min-4",
        lambda: f.credit_rate_unsaved(min_quantity=Decimal("4"), default_quantity=Decimal("2")),
    ),
    Breach(
        "credit_rate_default_not_above_max",
        "default-20-max-12",
        lambda: f.credit_rate_unsaved(max_quantity=Decimal("12"), default_quantity=Decimal("20")),
    ),
    Breach(
        "credit_rate_default_quantity_positive",
        "default-0",
        lambda: f.credit_rate_unsaved(default_quantity=Decimal("0")),
    ),
    Breach(
        "credit_rate_unique_per_variant",
        "two-rates-for-a-variant",
        lambda: _second(f.credit_rate, f.credit_rate_unsaved, with_variant=True),
    ),
    Breach(
        "credit_rate_unique_all_variants",
        "two-rates-for-all-variants",
        lambda: _second(f.credit_rate, f.credit_rate_unsaved, with_variant=False),
    ),
    Breach("workflow_credits_positive", "0-credits", lambda: f.workflow_unsaved(credits_per_unit=Decimal("0"))),
    Breach("workflow_step_quantity_positive", "quantity-0", lambda: f.workflow_step_unsaved(quantity=Decimal("0"))),
    Breach(
        "workflow_step_probability_0_to_1",
        "probability-above-1",
        lambda: f.workflow_step_unsaved(probability=Decimal("1.0001")),
    ),
    Breach(
        "workflow_step_probability_0_to_1",
        "probability-negative",
        lambda: f.workflow_step_unsaved(probability=Decimal("-0.0001")),
    ),
    Breach(
        "workflow_step_multiplier_at_least_1",
        "multiplier-below-1",
        lambda: f.workflow_step_unsaved(multiplier=Decimal("0.9999")),
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("breach", BREACHES, ids=lambda breach: breach.id)
def test_database_and_admin_refuse(breach):
    assert_database_refuses(breach)


# --- What the partial unique rules still allow ------------------------------------------------------


def test_variants_share_slugs_across_models_and_one_default_each(sora, gpt):
    assert [(v.model.slug, v.slug, v.is_default) for v in Variant.objects.all()] == [
        ("gpt-4o-mini", "default", True),
        ("sora-2-pro", "default", True),
        ("sora-2-pro", "1080p", False),
    ]


def test_the_default_variant_can_move_to_another_variant(sora):
    Variant.objects.filter(model=sora, is_default=True).update(is_default=False)
    Variant.objects.filter(model=sora, slug="1080p").update(is_default=True)

    assert _default_variant(sora).slug == "1080p"


def test_costs_for_all_variants_for_one_variant_and_above_tiers_coexist(sora, seconds, input_tokens):
    hd = sora.variants.get(slug="1080p")
    rows = [
        f.provider_cost_unsaved(model=sora, meter=seconds, price=Decimal("0.30")),
        f.provider_cost_unsaved(model=sora, variant=hd, meter=seconds, price=Decimal("0.50")),
        f.provider_cost_unsaved(model=sora, meter=input_tokens, per_units=1_000_000, price=Decimal("1.25")),
        f.provider_cost_unsaved(
            model=sora,
            meter=input_tokens,
            per_units=1_000_000,
            price=Decimal("2.50"),
            tier_threshold=LONG_CONTEXT,
            tier_mode="cliff",
        ),
        f.provider_cost_unsaved(
            model=sora,
            variant=hd,
            meter=input_tokens,
            per_units=1_000_000,
            price=Decimal("2.50"),
            tier_threshold=LONG_CONTEXT,
            tier_mode="graduated",
            tier_meter=input_tokens,
        ),
        f.provider_cost_unsaved(
            model=sora,
            meter=input_tokens,
            per_units=1_000_000,
            price=Decimal("5"),
            tier_threshold=Decimal("1000000"),
            tier_mode="cliff",
        ),
    ]
    for row in rows:
        row.full_clean()
        row.save()

    assert [str(row) for row in ProviderCost.objects.order_by("pk")] == [
        "sora-2-pro / all variants / seconds from openai",
        "sora-2-pro / 1080p / seconds from openai",
        "sora-2-pro / all variants / input_tokens from openai",
        "sora-2-pro / all variants / input_tokens from openai above 200000.0000",
        "sora-2-pro / 1080p / input_tokens from openai above 200000.0000",
        "sora-2-pro / all variants / input_tokens from openai above 1000000.0000",
    ]


def test_rates_for_all_variants_and_for_one_variant_coexist(sora, seconds):
    hd = sora.variants.get(slug="1080p")
    for variant, credits in [(None, Decimal("30")), (hd, Decimal("35"))]:
        row = f.credit_rate_unsaved(model=sora, variant=variant, meter=seconds, credits=credits)
        row.full_clean()
        row.save()

    assert sorted(CreditRate.objects.values_list("credits", flat=True)) == [Decimal("30"), Decimal("35")]


# --- clean(): a variant of another model ---------------------------------------------------------


@pytest.mark.parametrize(
    "make", [f.provider_cost_unsaved, f.credit_rate_unsaved, f.workflow_step_unsaved], ids=lambda m: m.__name__
)
def test_a_variant_of_another_model_is_refused(make, sora, gpt, seconds):
    row = make(model=gpt, variant=sora.variants.get(slug="1080p"), meter=seconds)

    with pytest.raises(ValidationError) as invalid:
        row.full_clean()

    assert invalid.value.message_dict == {
        "variant": ["Variant '1080p' belongs to another model, not to 'gpt-4o-mini'."]
    }


# --- clean(): credit rate quantities -------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"allowed_quantities": "4, eight, 12"},
            {"allowed_quantities": ["Allowed quantities: 'eight' is not a number; write quantities like 4, 8, 12."]},
        ),
        (
            {"allowed_quantities": "4, 8, 8"},
            {"allowed_quantities": ["Allowed quantities: a quantity is listed twice."]},
        ),
        (
            {"allowed_quantities": "-4, 8"},
            {"allowed_quantities": ["Allowed quantities: '-4' is not a positive quantity."]},
        ),
        (
            {"allowed_quantities": "4, 8, 16", "max_quantity": Decimal("12")},
            {"allowed_quantities": ["16 is above the maximum quantity 12."]},
        ),
        (
            {"allowed_quantities": "2, 4, 8", "min_quantity": Decimal("4")},
            {"allowed_quantities": ["2 is below the minimum quantity 4."]},
        ),
        (
            {"allowed_quantities": "4, 8, 12", "default_quantity": Decimal("6")},
            {"default_quantity": ["Default quantity 6 is not one of the allowed quantities (4, 8, 12)."]},
        ),
    ],
    ids=["not-a-number", "duplicate", "negative", "above-max", "below-min", "default-not-allowed"],
)
def test_credit_rate_quantity_mistakes_are_explained(fields, errors, sora, seconds):
    rate = f.credit_rate_unsaved(model=sora, meter=seconds, **fields)

    with pytest.raises(ValidationError) as invalid:
        rate.full_clean()

    assert invalid.value.message_dict == errors


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"min_quantity": Decimal("0.5")},
            {"min_quantity": ["Input tokens are counted in whole units; 0.5 is not whole."]},
        ),
        (
            {"max_quantity": Decimal("100.25")},
            {"max_quantity": ["Input tokens are counted in whole units; 100.25 is not whole."]},
        ),
        (
            {"default_quantity": Decimal("2.5")},
            {"default_quantity": ["Input tokens are counted in whole units; 2.5 is not whole."]},
        ),
        (
            {"allowed_quantities": "1, 1.5, 2"},
            {"allowed_quantities": ["Input tokens are counted in whole units; 1.5 is not whole."]},
        ),
    ],
    ids=["min", "max", "default", "allowed"],
)
def test_fractional_quantities_of_a_whole_units_meter_are_refused(fields, errors, gpt, input_tokens):
    rate = f.credit_rate_unsaved(model=gpt, meter=input_tokens, per_units=1_000_000, **fields)

    with pytest.raises(ValidationError) as invalid:
        rate.full_clean()

    assert invalid.value.message_dict == errors


def test_allowed_durations_are_stored_in_order_and_still_valid_after_a_round_trip(sora, seconds):
    """Seed 003: Sora 2 Pro is sold for 4, 8 or 12 seconds."""
    rate = f.credit_rate_unsaved(
        model=sora,
        meter=seconds,
        credits=Decimal("35"),
        allowed_quantities="12,4 , 8",
        min_quantity=Decimal("4"),
        max_quantity=Decimal("12"),
        default_quantity=Decimal("8"),
    )
    rate.full_clean()
    rate.save()
    rate.refresh_from_db()

    assert rate.allowed_quantities == "4, 8, 12"
    assert rate.allowed_quantity_values == (Decimal("4"), Decimal("8"), Decimal("12"))
    rate.full_clean()


def test_whole_quantities_read_back_from_the_database_stay_whole(gpt, input_tokens):
    rate = f.credit_rate(
        model=gpt, meter=input_tokens, per_units=1_000_000, min_quantity=Decimal("1"), default_quantity=Decimal("1000")
    )
    rate.refresh_from_db()

    rate.full_clean()


# --- Slugs ---------------------------------------------------------------------------------------

SLUG_RULE = "Use lowercase letters, digits and single hyphens or underscores between them, e.g. sora-2-pro."


@pytest.mark.parametrize("slug", ["Sora-2-Pro", "sora 2 pro", "sora--2", "-sora", "sora-", "sora.2"])
@pytest.mark.parametrize("make", [f.provider, f.ai_model, f.meter, f.workflow_unsaved], ids=lambda m: m.__name__)
def test_invalid_slug_is_explained(make, slug, db):
    row = make(slug="valid-slug")
    row.slug = slug

    with pytest.raises(ValidationError) as invalid:
        row.full_clean()

    assert SLUG_RULE in invalid.value.message_dict["slug"]


@pytest.mark.parametrize("slug", ["sora-2-pro", "input_tokens", "veo3", "720p"])
def test_valid_slugs_are_accepted(slug, sora):
    variant = f.variant_unsaved(model=sora, slug=slug)

    variant.full_clean()


def test_workflow_step_defaults_run_once_per_unit(sora, seconds):
    step = f.workflow_step(model=sora, meter=seconds)
    step.refresh_from_db()

    assert (step.probability, step.multiplier) == (Decimal("1"), Decimal("1"))
    assert WorkflowStep.objects.get().quantity == Decimal("3600")


def test_every_quantity_problem_is_reported_at_once(sora, seconds):
    """An ops person fixes the whole row in one go, not one message per save."""
    rate = f.credit_rate_unsaved(
        model=sora,
        meter=seconds,
        allowed_quantities="2, 8, 30",
        min_quantity=Decimal("4"),
        max_quantity=Decimal("25"),
        default_quantity=Decimal("6"),
    )

    with pytest.raises(ValidationError) as invalid:
        rate.full_clean()

    assert invalid.value.message_dict == {
        "allowed_quantities": ["2 is below the minimum quantity 4.", "30 is above the maximum quantity 25."],
        "default_quantity": ["Default quantity 6 is not one of the allowed quantities (2, 8, 30)."],
    }


def test_a_variant_with_prices_cannot_be_deleted_alone(sora, seconds):
    """Deleting 1080p would silently drop its provider cost and credit rate."""
    hd = sora.variants.get(slug="1080p")
    f.provider_cost(model=sora, variant=hd, meter=seconds)
    f.credit_rate(model=sora, variant=hd, meter=seconds)

    with pytest.raises(RestrictedError):
        hd.delete()

    assert (ProviderCost.objects.filter(variant=hd).count(), CreditRate.objects.filter(variant=hd).count()) == (1, 1)


def test_deleting_a_model_takes_its_variants_and_prices(sora, seconds):
    hd = sora.variants.get(slug="1080p")
    f.provider_cost(model=sora, variant=hd, meter=seconds)
    f.credit_rate(model=sora, variant=hd, meter=seconds)

    sora.delete()

    assert (Variant.objects.count(), ProviderCost.objects.count(), CreditRate.objects.count()) == (0, 0, 0)


def test_a_graduated_tier_is_measured_on_its_own_meter(sora, seconds, input_tokens):
    f.provider_cost(model=sora, meter=seconds, price=Decimal("0.30"))
    tier = f.provider_cost_unsaved(
        model=sora,
        meter=seconds,
        price=Decimal("0.20"),
        tier_threshold=Decimal("10"),
        tier_mode="graduated",
        tier_meter=input_tokens,
    )

    with pytest.raises(ValidationError) as refused:
        tier.full_clean()

    assert refused.value.message_dict == {
        "tier_meter": [
            "A graduated tier prices the units of its own meter above the threshold: leave the tier meter empty, "
            "or make the tier a cliff."
        ]
    }
    tier.tier_mode = "cliff"
    tier.full_clean()
