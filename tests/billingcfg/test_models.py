"""Currencies, exchange rates, the pricing policy and alert thresholds: what the
database refuses, and what the admin says about it."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from billingcfg.models import (
    Action,
    AlertThreshold,
    Currency,
    ExchangeRate,
    Metric,
    Product,
    Scope,
    ThresholdAction,
    Window,
)
from tests import factories as f
from tests.billingcfg.breaches import Breach, assert_database_refuses


def _second_default_product():
    f.default_product()
    return f.product_unsaved(is_default=True)


def _second_rate_same_pair_and_date():
    first = f.exchange_rate()
    return f.exchange_rate_unsaved(
        from_currency=first.from_currency, to_currency=first.to_currency, as_of=first.as_of, to_amount=Decimal("31.5")
    )


def _second_action_same_kind():
    first = f.threshold_action(action=Action.EMAIL)
    return f.threshold_action_unsaved(threshold=first.threshold, action=Action.EMAIL, position=1)


BREACHES = [
    Breach(
        "currency_minor_units_at_most_8",
        "9-minor-units",
        lambda: Currency(code="XTS", name="Test currency", minor_units=9),
    ),
    Breach("exchange_rate_two_currencies", "usd-to-usd", lambda: f.exchange_rate_unsaved(to_currency=f.usd())),
    Breach(
        "exchange_rate_amounts_positive", "from-amount-0", lambda: f.exchange_rate_unsaved(from_amount=Decimal("0"))
    ),
    Breach(
        "exchange_rate_amounts_positive",
        "to-amount-negative",
        lambda: f.exchange_rate_unsaved(to_amount=Decimal("-32")),
    ),
    Breach("exchange_rate_one_per_pair_and_date", "same-pair-same-day", _second_rate_same_pair_and_date),
    Breach("product_one_default", "second-default", lambda: _second_default_product()),
    Breach(
        "product_margin_range_ascends",
        "range-high-below-low",
        lambda: f.product_unsaved(target_gross_margin=Decimal("0.5"), target_gross_margin_high=Decimal("0.4")),
    ),
    Breach(
        "product_margin_range_ascends",
        "range-high-100-percent",
        lambda: f.product_unsaved(target_gross_margin=Decimal("0.4"), target_gross_margin_high=Decimal("1")),
    ),
    Breach(
        "product_margin_fraction",
        "margin-100-percent",
        lambda: f.product_unsaved(target_gross_margin=Decimal("1")),
    ),
    Breach(
        "product_margin_fraction",
        "margin-negative",
        lambda: f.product_unsaved(target_gross_margin=Decimal("-0.0001")),
    ),
    Breach(
        "product_fixed_basis_has_figure",
        "fixed-basis-at-0",
        lambda: f.product_unsaved(revenue_basis="fixed", fixed_revenue_per_credit=Decimal("0")),
    ),
    Breach(
        "product_fixed_basis_has_figure",
        "fixed-basis-without-figure",
        lambda: f.product_unsaved(revenue_basis="fixed", fixed_revenue_per_credit=None),
    ),
    Breach(
        "product_fixed_basis_has_figure",
        "lowest-basis-with-figure",
        lambda: f.product_unsaved(revenue_basis="lowest", fixed_revenue_per_credit=Decimal("0.05")),
    ),
    Breach("alert_threshold_limit_not_negative", "limit-negative", lambda: f.threshold_unsaved(limit=Decimal("-1"))),
    Breach(
        "alert_threshold_metric_complete",
        "money-without-currency",
        lambda: f.threshold_unsaved(metric=Metric.MONEY, currency=None),
        admin_error=("currency", "A money metric needs a currency."),
    ),
    Breach(
        "alert_threshold_metric_complete",
        "meter-metric-without-meter",
        lambda: f.threshold_unsaved(metric=Metric.METER),
        admin_error=("meter", "A meter metric needs a meter."),
    ),
    Breach(
        "alert_threshold_metric_complete",
        "credits-with-currency",
        lambda: f.threshold_unsaved(metric=Metric.CREDITS, currency=f.usd()),
        admin_error=("currency", "Only a money metric takes a currency."),
    ),
    Breach(
        "alert_threshold_metric_complete",
        "money-with-meter",
        lambda: f.threshold_unsaved(metric=Metric.MONEY, meter=f.meter()),
        admin_error=("meter", "Only a meter metric takes a meter."),
    ),
    Breach(
        "alert_threshold_scope_target",
        "provider-scope-without-provider",
        lambda: f.threshold_unsaved(scope=Scope.PROVIDER),
        admin_error=("provider", "Scope 'One provider' needs a provider."),
    ),
    Breach(
        "alert_threshold_scope_target",
        "plan-scope-without-plan",
        lambda: f.threshold_unsaved(scope=Scope.PLAN),
        admin_error=("plan", "Scope 'One subscription plan' needs a plan."),
    ),
    Breach(
        "alert_threshold_scope_target",
        "system-scope-naming-a-model",
        lambda: f.threshold_unsaved(scope=Scope.SYSTEM, model=f.ai_model()),
        admin_error=("model", "Scope 'System (all usage)' takes no model; clear it."),
    ),
    Breach(
        "alert_threshold_scope_target",
        "model-scope-naming-a-plan-too",
        lambda: f.threshold_unsaved(scope=Scope.MODEL, model=f.ai_model(), plan=f.plan()),
        admin_error=("plan", "Scope 'One model' takes no plan; clear it."),
    ),
    Breach(
        "alert_threshold_tier_for_users",
        "tier-on-system-scope",
        lambda: f.threshold_unsaved(scope=Scope.SYSTEM, tier="free"),
        admin_error=("tier", "A tier applies only with scope 'each user'."),
    ),
    Breach(
        "threshold_action_switch_names_model",
        "switch-without-model",
        lambda: f.threshold_action_unsaved(action=Action.SWITCH_MODEL),
    ),
    Breach(
        "threshold_action_switch_names_model",
        "email-naming-a-model",
        lambda: f.threshold_action_unsaved(action=Action.EMAIL, switch_to_model=f.ai_model()),
    ),
    Breach("threshold_action_once", "email-twice", _second_action_same_kind),
]


@pytest.mark.django_db
@pytest.mark.parametrize("breach", BREACHES, ids=lambda breach: breach.id)
def test_database_and_admin_refuse(breach):
    assert_database_refuses(breach)


# --- Currencies ---------------------------------------------------------------------------------

CURRENCY_CODE_RULE = "Use 3 to 10 capital letters or digits, starting with a letter, e.g. USD or PTS."


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["usd", "US", "1USD", "US-D", "US D", "Usd"])
def test_invalid_currency_code_is_explained(code):
    currency = Currency(code=code, name="Test")

    with pytest.raises(ValidationError) as invalid:
        currency.full_clean()

    assert invalid.value.message_dict == {"code": [CURRENCY_CODE_RULE]}


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["USD", "TWD", "CNY", "PTS", "A1B", "CREDITS123"])
def test_currency_codes_and_internal_units_are_accepted(code):
    Currency(code=code, name="Test").full_clean()


@pytest.mark.django_db
def test_a_currency_code_is_used_once():
    f.usd()

    with pytest.raises(ValidationError) as invalid:
        Currency(code="USD", name="Dollar again").full_clean()

    assert list(invalid.value.message_dict) == ["code"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Currency.objects.create(code="USD", name="Dollar again")


# --- Exchange rates -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_000_rate_reads_as_quoted_and_converts_exactly():
    cny = f.currency(code="CNY", name="Chinese yuan")
    pts = f.currency(code="PTS", name="Points", is_internal=True, minor_units=0)
    rate = f.exchange_rate(from_currency=cny, to_currency=pts, from_amount=Decimal("99"), to_amount=Decimal("1600000"))
    rate.refresh_from_db()

    assert str(rate) == "99 CNY = 1600000 PTS"
    assert rate.rate.quantize(Decimal("0.01")) == Decimal("16161.62")


@pytest.mark.django_db
def test_a_pair_may_have_a_rate_per_date_and_one_each_way():
    first = f.exchange_rate()
    f.exchange_rate(as_of=first.as_of + datetime.timedelta(days=1), to_amount=Decimal("31.8"))
    reverse = f.exchange_rate_unsaved(
        from_currency=first.to_currency,
        to_currency=first.from_currency,
        from_amount=Decimal("32"),
        to_amount=Decimal("1"),
        as_of=first.as_of,
    )
    reverse.full_clean()
    reverse.save()

    assert ExchangeRate.objects.count() == 3


# --- Products -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_default_product_is_refused():
    f.default_product()
    second = _second_default_product()

    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    with pytest.raises(ValidationError) as invalid:
        second.full_clean()

    assert invalid.value.messages == ["Another product is already the default; a configuration has exactly one."]
    assert list(Product.objects.filter(is_default=True).values_list("slug", flat=True)) == ["default"]


@pytest.mark.django_db
def test_a_target_range_is_accepted_and_a_figure_needs_no_high_end():
    coaching = f.product_unsaved(target_gross_margin=Decimal("0.40"), target_gross_margin_high=Decimal("0.50"))
    coaching.full_clean()
    coaching.save()
    video = f.product_unsaved(target_gross_margin=Decimal("0.75"))
    video.full_clean()
    video.save()

    assert Product.objects.get(pk=coaching.pk).target_gross_margin_high == Decimal("0.50")
    assert Product.objects.get(pk=video.pk).target_gross_margin_high is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("basis", "figure"), [("lowest", None), ("mean", None), ("highest", None), ("fixed", Decimal("0.05"))]
)
def test_every_revenue_basis_is_accepted_with_what_it_needs(basis, figure):
    product = f.product_unsaved(revenue_basis=basis, fixed_revenue_per_credit=figure)
    product.full_clean()
    product.save()

    assert Product.objects.get(pk=product.pk).revenue_basis == basis


# --- Alert thresholds ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_thresholds_are_expressible():
    """Seed 002 §8.3, seed 001's free tier and seed 002 §8.1: each one passes validation."""
    elevenlabs = f.provider(slug="elevenlabs", name="ElevenLabs")
    requests = f.meter(slug="requests", name="Requests", unit="request", whole_units=True)
    pro = f.plan(slug="pro-monthly")
    rows = [
        f.threshold_unsaved(
            slug="elevenlabs-daily",
            scope=Scope.PROVIDER,
            provider=elevenlabs,
            window=Window.DAY,
            limit=Decimal("100"),
        ),
        f.threshold_unsaved(
            slug="free-requests-hourly",
            scope=Scope.USER,
            tier="free",
            metric=Metric.METER,
            meter=requests,
            window=Window.HOUR,
            limit=Decimal("10"),
        ),
        f.threshold_unsaved(
            slug="pro-user-credits",
            scope=Scope.USER,
            plan=pro,
            provider=elevenlabs,
            metric=Metric.CREDITS,
            window=Window.MONTH,
            limit=Decimal("1200"),
        ),
        f.threshold_unsaved(slug="budget-50", scope=Scope.SYSTEM, limit=Decimal("3125")),
        f.threshold_unsaved(slug="pro-plan", scope=Scope.PLAN, plan=pro, metric=Metric.CREDITS),
    ]
    for row in rows:
        row.full_clean()
        row.save()

    assert AlertThreshold.objects.count() == len(rows)


@pytest.mark.django_db
def test_a_threshold_lists_each_action_once_and_the_model_to_switch_to():
    budget = f.threshold()
    fallback = f.ai_model(slug="gemini-2-5-flash")
    for position, (action, model) in enumerate(
        [(Action.EMAIL, None), (Action.SLACK, None), (Action.SWITCH_MODEL, fallback)]
    ):
        row = ThresholdAction(threshold=budget, position=position, action=action, switch_to_model=model)
        row.full_clean()
        row.save()

    assert [str(action) for action in budget.actions.all()] == [
        "Email",
        "Slack message",
        "Switch to another model: gemini-2-5-flash",
    ]


SLUG_RULE = "Use lowercase letters, digits and single hyphens or underscores between them, e.g. sora-2-pro."


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["Budget", "budget--50", "-budget", "budget-", "budget 50", "budget_-50"])
def test_invalid_threshold_slug_is_explained(slug):
    row = f.threshold_unsaved(slug=slug)

    with pytest.raises(ValidationError) as invalid:
        row.full_clean()

    assert SLUG_RULE in invalid.value.message_dict["slug"]
