"""POST /api/v1/products/<slug>/thresholds/evaluate/: which of a product's alert
thresholds in the release an observed value crosses (the demo's seed 001 thresholds,
in the developer-flows product), and what follows. The deprecated
/api/v1/thresholds/evaluate/ evaluates the default product's."""

import pytest

from billingcfg.models import AlertThreshold
from billingcfg.releases import services as releases
from tests.api.conftest import Api, make_key

EVALUATE = "/api/v1/products/dev-flows/thresholds/evaluate/"
DEPRECATED = "/api/v1/thresholds/evaluate/"

pytestmark = pytest.mark.usefixtures("demo_release")


@pytest.fixture
def api(db):
    """The developer-flows backend's key (it may read the coaching app too, for its plans)."""
    return Api(make_key("config:read", products=("dev-flows", "coaching"))[0])


def _spend(value, currency="USD", **more):
    return {"scope": "system", "metric": "money", "window": "day", "value": value, "currency": currency, **more}


def _email(slug, name, limit, observed, share):
    return {
        "threshold": slug,
        "name": name,
        "limit": limit,
        "observed": observed,
        "share_of_limit": share,
        "actions": [{"action": "email", "switch_to_model": None}],
    }


def test_a_day_of_spend_over_the_alert_crosses_it(api):
    response = api.post(EVALUATE, _spend(150))

    assert response.status_code == 200
    assert response.json() == {
        "release": 1,
        "product": "dev-flows",
        "crossed": [_email("system-spend-alert", "System spend alert", "100", "150", "1.5")],
    }


def test_spend_in_another_currency_is_converted_to_the_thresholds(api):
    response = api.post(EVALUATE, _spend("32000", currency="TWD"))  # 1,000 USD at seed 002's 32

    assert response.json() == {
        "release": 1,
        "product": "dev-flows",
        "crossed": [
            _email("system-spend-alert", "System spend alert", "100", "1000", "10"),
            {
                "threshold": "system-spend-disable",
                "name": "Disable the service",
                "limit": "500",
                "observed": "1000",
                "share_of_limit": "2",
                "actions": [{"action": "pause", "switch_to_model": None}],
            },
        ],
    }


def test_spend_in_a_currency_with_no_rate_to_the_thresholds_is_a_400_naming_it(api):
    response = api.post(EVALUATE, _spend("7100", currency="CNY"))  # the demo has no CNY → USD: seed 000 has none

    assert response.status_code == 400
    assert response.json() == {"errors": {"currency": ["no exchange rate from CNY to USD"]}}


def test_a_model_over_its_budget_switches_to_a_cheaper_one(api):
    response = api.post(
        EVALUATE,
        {
            "scope": "model",
            "metric": "money",
            "window": "day",
            "value": 300,
            "currency": "USD",
            "model": "claude-3-5-sonnet",
        },
    )

    assert response.json() == {
        "release": 1,
        "product": "dev-flows",
        "crossed": [
            {
                "threshold": "sonnet-high-volume",
                "name": "Sonnet at high volume",
                "limit": "250",
                "observed": "300",
                "share_of_limit": "1.2",
                "actions": [{"action": "switch_model", "switch_to_model": "claude-3-haiku"}],
            }
        ],
    }


def test_a_free_user_over_the_hourly_requests_is_rate_limited_and_queued(api):
    response = api.post(
        EVALUATE,
        {"scope": "user", "metric": "meter", "window": "hour", "value": 11, "meter": "requests", "tier": "free"},
    )

    assert response.json() == {
        "release": 1,
        "product": "dev-flows",
        "crossed": [
            {
                "threshold": "free-requests-hour",
                "name": "Free tier: requests an hour",
                "limit": "10",
                "observed": "11",
                "share_of_limit": "1.1",
                "actions": [
                    {"action": "rate_limit", "switch_to_model": None},
                    {"action": "queue", "switch_to_model": None},
                ],
            }
        ],
    }


def test_a_value_at_the_limit_crosses_nothing(api):
    assert api.post(EVALUATE, _spend(100)).json() == {"release": 1, "product": "dev-flows", "crossed": []}


def test_each_product_is_judged_on_its_own_thresholds(api):
    """Seed 001's spend alert is the developer flows' own: the same day of spend crosses nothing in the
    coaching app, and the deprecated route evaluates the default product's (the video app has none)."""
    assert api.post("/api/v1/products/coaching/thresholds/evaluate/", _spend(150)).json() == {
        "release": 1,
        "product": "coaching",
        "crossed": [],
    }
    video = Api(make_key("config:read", products=("video",))[0])
    assert video.post(DEPRECATED, _spend(150)).json() == {"release": 1, "product": "video", "crossed": []}


def test_a_key_for_another_product_is_refused_naming_it(db):
    key, row = make_key("config:read", products=("video",))

    response = Api(key).post(EVALUATE, _spend(150))

    assert response.status_code == 403
    assert response.json() == {
        "detail": f"API key {row.prefix} may not read product 'dev-flows': it reads only products video. "
        "Use /api/v1/products/<slug>/config/ with one of them."
    }


def test_thresholds_come_from_the_release_not_the_draft(api):
    AlertThreshold.objects.filter(slug="system-spend-alert").update(limit=200)

    before = api.post(EVALUATE, _spend(150)).json()
    releases.release_publish(note="Daily alert at 200 USD")
    after = api.post(EVALUATE, _spend(150)).json()
    pinned = api.post(EVALUATE, _spend(150, release=1)).json()

    assert [crossing["threshold"] for crossing in before["crossed"]] == ["system-spend-alert"]
    assert after == {"release": 2, "product": "dev-flows", "crossed": []}
    assert pinned == before


BAD = {
    "an unknown scope": (
        {"scope": "galaxy", "metric": "money", "window": "day", "value": 1},
        {"scope": ['"galaxy" is not one of: system, provider, model, plan, user']},
    ),
    "an unknown metric": (
        {"scope": "system", "metric": "euros", "window": "day", "value": 1},
        {"metric": ['"euros" is not one of: money, meter, credits']},
    ),
    "an unknown window": (
        {"scope": "system", "metric": "credits", "window": "week", "value": 1},
        {"window": ['"week" is not one of: hour, day, month']},
    ),
    "nothing observed": ({}, {name: ["This field is required."] for name in ("scope", "metric", "window", "value")}),
    "money without a currency": (
        {"scope": "system", "metric": "money", "window": "day", "value": 1},
        {"currency": ["a money observation needs its currency"]},
    ),
    "an unknown currency": (
        _spend(1, currency="EUR"),
        {"currency": ["no currency 'EUR'; currencies are: CNY, PTS, TWD, USD"]},
    ),
    "a meter value without its meter": (
        {"scope": "user", "metric": "meter", "window": "day", "value": 1},
        {"meter": ["a meter observation needs its meter"]},
    ),
    "an unknown meter": (
        {"scope": "user", "metric": "meter", "window": "day", "value": 1, "meter": "litres"},
        {
            "meter": [
                "no meter 'litres'; meters are: cached_input_tokens, characters, hours, images, "
                "input_tokens, megapixels, minutes, output_tokens, requests, seconds, tokens"
            ]
        },
    ),
    "a provider scope without the provider": (
        {"scope": "provider", "metric": "meter", "window": "month", "value": 1, "meter": "hours"},
        {"provider": ["scope 'provider' needs the provider observed"]},
    ),
    "an unknown provider": (
        _spend(1, scope="provider", provider="acme"),
        {
            "provider": [
                "no provider 'acme'; providers are: anthropic, elevenlabs, fal, gateway, google, kling, luma, minimax, "
                "openai, replicate, supabase"
            ]
        },
    ),
    "an unknown plan": (_spend(1, scope="plan", plan="gold"), {"plan": ["no plan 'gold'; plans are: none"]}),
    "a negative value": (_spend(-1), {"value": ["must be a number of at least 0, got -1"]}),
    "a value in words": (
        _spend("lots"),
        {"value": ['must be a number: a JSON number or a decimal string such as "12" or "0.5", not "lots"']},
    ),
    "a value of false": (
        _spend(False),
        {"value": ['must be a number: a JSON number or a decimal string such as "12" or "0.5", not false']},
    ),
    "a misspelt field": (
        _spend(1, modle="x"),
        {
            "modle": [
                "unknown field; fields are: scope, metric, window, value, currency, meter, provider, model, plan, tier, "
                "release"
            ]
        },
    ),
}


@pytest.mark.parametrize("body, errors", BAD.values(), ids=BAD.keys())
def test_bad_input_is_a_400_naming_the_field_and_the_allowed_values(api, body, errors):
    response = api.post(EVALUATE, body)

    assert response.status_code == 400
    assert response.json() == {"errors": errors}


def test_a_plan_is_one_of_the_products_own(api):
    response = api.post("/api/v1/products/coaching/thresholds/evaluate/", _spend(1, scope="plan", plan="creator"))

    assert response.status_code == 400
    assert response.json() == {
        "errors": {"plan": ["no plan 'creator'; plans are: coach-basic, coach-standard, coach-pro"]}
    }


def test_an_unknown_release_is_a_404(api):
    response = api.post(EVALUATE, _spend(1, release=4))

    assert response.status_code == 404
    assert response.json() == {"detail": "no release 4; releases are: 1"}
