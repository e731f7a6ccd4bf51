"""Which alert thresholds an observation crosses, in their order, and what
follows; observations that cannot be judged say which field is wrong."""

from datetime import date
from decimal import Decimal

import pytest

from pricing.catalogue import FxRate, Threshold
from pricing.errors import MissingExchangeRate
from pricing.fx import Converter
from pricing.thresholds import Observation, thresholds_crossed
from tests.demo_catalogue import demo_catalogue

USD_TWD = Converter([FxRate("USD", "TWD", Decimal("1"), Decimal("32"), date(2026, 2, 7))])


def crossed(seen, thresholds=None, converter=USD_TWD):
    thresholds = demo_catalogue().thresholds if thresholds is None else thresholds
    return [crossing.threshold.slug for crossing in thresholds_crossed(thresholds, seen, converter)]


def seen(scope, metric, window, value, **fields):
    if metric == "money":
        fields.setdefault("currency", "USD")
    return Observation(scope=scope, metric=metric, window=window, value=Decimal(value), **fields)


def threshold(slug, limit="100", *, sort_order=0, **fields):
    fields = {"scope": "system", "metric": "money", "window": "day", "currency": "USD", **fields}
    return Threshold(slug=slug, name=slug, limit=Decimal(limit), sort_order=sort_order, **fields)


# ---- Seed 002's monthly budget: strictly above each limit -----------------------------------


@pytest.mark.parametrize(
    ("spent", "slugs"),
    [
        ("2000", []),
        ("2500", []),  # at the limit: not crossed
        ("2500.01", ["budget-50"]),
        ("3750", ["budget-50"]),
        ("3750.01", ["budget-50", "budget-75"]),
        ("6000", ["budget-50", "budget-75", "budget-100"]),
    ],
)
def test_seed_002_monthly_budget(spent, slugs):
    assert crossed(seen("system", "money", "month", spent)) == slugs


def test_crossings_carry_the_actions_and_the_share_of_the_limit():
    crossings = thresholds_crossed(demo_catalogue().thresholds, seen("system", "money", "month", "6000"))

    assert [(item.actions, item.share_of_limit) for item in crossings] == [
        ((("email", None),), Decimal("2.4")),
        ((("slack", None), ("review", None)), Decimal("1.6")),
        ((("throttle", None),), Decimal("1.2")),
    ]


def test_seed_001_sonnet_at_high_volume_switches_to_haiku():
    crossings = thresholds_crossed(
        demo_catalogue().thresholds, seen("model", "money", "day", "300", model="claude-3-5-sonnet")
    )

    assert [(item.threshold.slug, item.actions) for item in crossings] == [
        ("sonnet-high-volume", (("switch_model", "claude-3-haiku"),))
    ]


# ---- Scope, window, metric, meter -------------------------------------------------------------


@pytest.mark.parametrize(
    ("observation", "slugs"),
    [
        (seen("system", "money", "day", "150"), ["system-spend-alert"]),
        (
            seen("system", "money", "day", "1500"),
            ["system-spend-alert", "system-spend-disable", "breaker-system-spend-day"],
        ),
        (seen("system", "money", "hour", "1500"), []),  # no hourly system threshold
        (seen("provider", "money", "day", "150", provider="elevenlabs"), ["anomaly-elevenlabs-spend-day"]),
        (seen("provider", "money", "day", "150", provider="openai"), []),  # another provider
        (seen("provider", "meter", "month", "4001", provider="elevenlabs", meter="hours"), ["cap-elevenlabs-hours"]),
        (seen("provider", "meter", "month", "4001", provider="elevenlabs", meter="minutes"), []),  # another meter
        (seen("provider", "money", "month", "4001", provider="elevenlabs"), []),  # another metric
        (
            seen("model", "meter", "month", "4001", model="gemini-3-flash-preview", meter="requests"),
            ["cap-report-calls"],
        ),
        (seen("model", "money", "month", "250", model="cloud-run"), ["cap-cloud-run"]),
        (seen("model", "money", "month", "250", model="gemini-3-flash-preview"), []),
    ],
)
def test_scope_window_metric_and_meter_must_match(observation, slugs):
    assert crossed(observation) == slugs


@pytest.mark.parametrize(
    ("tier", "model", "requests", "slugs"),
    [
        ("free", None, "11", ["free-requests-hour"]),
        ("free", None, "10", []),
        ("paid", None, "11", []),
        ("paid", None, "101", ["paid-requests-hour"]),
        ("", None, "1000", []),  # a user of no tier: only thresholds without a tier apply
        # The emotion-call rule narrows user thresholds to one model.
        ("free", "gemini-flash-lite-latest", "1501", ["anomaly-emotion-calls-hour", "free-requests-hour"]),
        ("paid", "gemini-flash-lite-latest", "1501", ["anomaly-emotion-calls-hour", "paid-requests-hour"]),
        ("paid", "claude-3-5-sonnet", "1501", ["paid-requests-hour"]),
        ("", "gemini-flash-lite-latest", "1501", ["anomaly-emotion-calls-hour"]),
    ],
)
def test_user_tier_and_narrowing_by_model(tier, model, requests, slugs):
    observation = seen("user", "meter", "hour", requests, meter="requests", tier=tier, model=model)

    assert crossed(observation) == slugs


@pytest.mark.parametrize(
    ("observation", "slugs"),
    [
        (seen("user", "meter", "day", "4", meter="hours", model="scribe-v2-realtime"), ["anomaly-user-hours-day"]),
        (seen("user", "meter", "day", "4", meter="hours"), []),  # not narrowed to the speech model
        (
            seen("user", "meter", "day", "100001", meter="tokens", tier="free"),
            ["free-tokens-day", "breaker-user-tokens-day"],
        ),
        (seen("user", "money", "month", "11"), ["user-spend-alert", "breaker-user-spend-month"]),
    ],
)
def test_seed_001_and_002_user_rules(observation, slugs):
    assert crossed(observation) == slugs


def test_a_plan_threshold_applies_to_its_plan_only():
    thresholds = (
        threshold(
            "coach-overuse", "1000", scope="plan", plan="coach-basic", metric="credits", window="month", currency=None
        ),
    )

    assert crossed(seen("plan", "credits", "month", "1001", plan="coach-basic"), thresholds) == ["coach-overuse"]
    assert crossed(seen("plan", "credits", "month", "1001", plan="coach-pro"), thresholds) == []
    assert crossed(seen("plan", "credits", "month", "1000", plan="coach-basic"), thresholds) == []


def test_an_inactive_threshold_is_ignored():
    thresholds = (threshold("on"), threshold("off", active=False))

    assert crossed(seen("system", "money", "day", "200"), thresholds) == ["on"]


def test_thresholds_are_in_sort_order_then_slug():
    thresholds = (
        threshold("c-late", sort_order=2),
        threshold("b", sort_order=1),
        threshold("a", sort_order=1),
        threshold("z-first", sort_order=0),
    )

    assert crossed(seen("system", "money", "day", "200"), thresholds) == ["z-first", "a", "b", "c-late"]


def test_a_zero_limit_has_no_share():
    (crossing,) = thresholds_crossed((threshold("any", "0"),), seen("system", "money", "day", "1"))

    assert crossing.share_of_limit is None


# ---- Money in another currency ------------------------------------------------------------------


@pytest.mark.parametrize(("twd", "slugs", "observed"), [("3200", [], None), ("3200.32", ["usd"], "100.01")])
def test_money_is_converted_to_the_threshold_currency(twd, slugs, observed):
    thresholds = (threshold("usd", "100"),)
    observation = seen("system", "money", "day", twd, currency="TWD")

    crossings = thresholds_crossed(thresholds, observation, USD_TWD)

    assert [item.threshold.slug for item in crossings] == slugs
    if observed:
        assert crossings[0].observed == Decimal(observed)
        assert crossings[0].share_of_limit == Decimal("1.0001")


def test_each_threshold_gets_the_value_in_its_own_currency():
    thresholds = (threshold("usd", "100"), threshold("twd", "3000", currency="TWD"))

    crossings = thresholds_crossed(thresholds, seen("system", "money", "day", "99"), USD_TWD)

    assert [(item.threshold.slug, item.observed) for item in crossings] == [("twd", Decimal("3168"))]


def test_money_without_an_exchange_rate_names_the_pair():
    with pytest.raises(MissingExchangeRate, match="^no exchange rate from EUR to USD$"):
        thresholds_crossed((threshold("usd"),), seen("system", "money", "day", "200", currency="EUR"), USD_TWD)


def test_money_in_another_currency_without_a_converter_is_refused():
    with pytest.raises(ValueError, match="^currency: TWD needs an exchange rate to USD$"):
        thresholds_crossed((threshold("usd"),), seen("system", "money", "day", "200", currency="TWD"))


def test_money_in_the_threshold_currency_needs_no_converter():
    assert crossed(seen("system", "money", "day", "200"), (threshold("usd"),), converter=None) == ["usd"]


def test_a_meter_value_is_never_converted():
    thresholds = (threshold("tokens", "100", metric="meter", meter="tokens", currency=None),)

    assert crossed(seen("system", "meter", "day", "101", meter="tokens"), thresholds, converter=None) == ["tokens"]


# ---- Observations that cannot be judged ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"scope": "team"}, "scope: 'team' is not one of system, provider, model, plan, user"),
        ({"metric": "calls"}, "metric: 'calls' is not one of money, meter, credits"),
        ({"window": "week"}, "window: 'week' is not one of hour, day, month"),
        ({"value": Decimal("-1")}, "value: must be a number of at least 0, got -1"),
        ({"value": Decimal("NaN")}, "value: must be a number of at least 0, got NaN"),
        ({"value": Decimal("Infinity")}, "value: must be a number of at least 0, got Infinity"),
        ({"metric": "money"}, "currency: a money observation needs its currency"),
        ({"metric": "meter"}, "meter: a meter observation needs its meter"),
        ({"scope": "provider"}, "provider: scope 'provider' needs the provider observed"),
        ({"scope": "model"}, "model: scope 'model' needs the model observed"),
        ({"scope": "plan"}, "plan: scope 'plan' needs the plan observed"),
    ],
)
def test_an_invalid_observation_names_the_field(fields, message):
    values = {"scope": "system", "metric": "credits", "window": "day", "value": Decimal("1"), **fields}

    with pytest.raises(ValueError) as raised:
        Observation(**values)

    assert str(raised.value) == message


@pytest.mark.parametrize(
    "fields",
    [
        {"scope": "system", "metric": "credits"},
        {"scope": "user", "metric": "money", "currency": "USD"},
        {"scope": "provider", "metric": "meter", "meter": "hours", "provider": "elevenlabs"},
        {"scope": "plan", "metric": "credits", "plan": "coach-basic"},
        {"scope": "system", "metric": "credits", "value": Decimal("0")},
    ],
)
def test_a_valid_observation_is_accepted(fields):
    values = {"window": "day", "value": Decimal("1"), **fields}

    assert Observation(**values).value == values["value"]
