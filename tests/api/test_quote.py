"""POST /api/v1/products/<slug>/quote/: one usage priced against a product's document
in a release (DESIGN §6), at the product's own credit, with literal expected bodies
for the demo data (seed 003's video prices, seed 002's coaching hour in TWD, seed
000's gateway-priced prompts in points). The deprecated /api/v1/quote/ prices the
default product's (the video app's)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billingcfg.api import selectors
from billingcfg.releases import services as releases
from rates.models import AIModel, CreditRate
from tests.api.conftest import Api, make_key

QUOTE = "/api/v1/products/video/quote/"
COACHING = "/api/v1/products/coaching/quote/"
PROMPTS = "/api/v1/products/sora-prompts/quote/"
FLOWS = "/api/v1/products/dev-flows/quote/"
DEPRECATED = "/api/v1/quote/"

pytestmark = pytest.mark.usefixtures("demo_release")


@pytest.fixture
def api(db):
    """A key reading the demo's four products."""
    return Api(make_key("config:read", products=("video", "coaching", "sora-prompts", "dev-flows"))[0])


def _margin(worst_gross, best_gross, worst_markup, best_markup, worst_profit, best_profit):
    return {
        "gross_margin": {"worst": worst_gross, "best": best_gross},
        "markup": {"worst": worst_markup, "best": best_markup},
        "profit": {"worst": worst_profit, "best": best_profit},
    }


def _exact(gross, markup, profit):
    return _margin(gross, gross, markup, markup, profit, profit)


def _usd(amount):
    return {"low": amount, "high": amount, "currency": "USD"}


SORA_2_PRO_1080P_12_SECONDS = {
    "release": 1,
    "product": "video",
    "model": "sora-2-pro",
    "variant": "1080p",
    "workflow": None,
    "quantity": "12",
    "credits": 420,
    "cost": {"provider": _usd("6"), "reporting": _usd("6")},
    "revenue": {"lowest": "15.036", "basis": "21", "currency": "USD"},
    "margin": {
        "lowest": _exact("0.6009577015163607342378292099", "1.506", "9.036"),
        "basis": _exact("0.7142857142857142857142857143", "2.5", "15"),
    },
    "lines": [
        {"quantity": "12", "cost": _usd("6"), "meter": "seconds", "credits": "420", "tier": "", "defaulted": False}
    ],
}


def test_a_video_by_the_second_is_priced_as_seed_003_says(api):
    response = api.post(QUOTE, {"model": "sora-2-pro", "variant": "1080p", "quantity": 12})

    assert response.status_code == 200
    assert response.json() == SORA_2_PRO_1080P_12_SECONDS


def test_numbers_may_be_decimal_strings_and_are_read_exactly(api):
    assert (
        api.post(QUOTE, {"model": "sora-2-pro", "variant": "1080p", "quantity": "12"}).json()
        == SORA_2_PRO_1080P_12_SECONDS
    )
    assert (
        api.post(QUOTE, {"model": "sora-2-pro", "variant": "1080p", "quantity": 12.0}).json()
        == SORA_2_PRO_1080P_12_SECONDS
    )
    # 0.1 × 60 credits is exactly 6: read through a float it would be 6.000000000000001 and charge 7.
    assert api.post(COACHING, '{"workflow": "coaching-session-hour", "quantity": 0.1}').json()["credits"] == 6


def test_the_deprecated_route_prices_the_default_product(api):
    response = api.post(DEPRECATED, {"model": "sora-2-pro", "variant": "1080p", "quantity": 12})

    assert response.status_code == 200
    assert response.json() == SORA_2_PRO_1080P_12_SECONDS


def test_a_model_another_product_sells_is_not_priced_here(api):
    response = api.post(COACHING, {"model": "sora-2-pro", "variant": "1080p", "quantity": 12})

    assert response.status_code == 400
    assert response.json()["errors"]["model"][0].startswith("no active model 'sora-2-pro'; models are: cloud-run, ")


def test_without_a_quantity_the_default_is_charged_and_marked(api):
    response = api.post(QUOTE, {"model": "veo-3"})

    assert response.status_code == 200
    assert response.json() == {
        "release": 1,
        "product": "video",
        "model": "veo-3",
        "variant": "audio",
        "workflow": None,
        "quantity": "8",
        "credits": 480,
        "cost": {"provider": _usd("6"), "reporting": _usd("6")},
        "revenue": {"lowest": "17.184", "basis": "24", "currency": "USD"},
        "margin": {
            "lowest": _exact("0.6508379888268156424581005587", "1.864", "11.184"),
            "basis": _exact("0.75", "3", "18"),
        },
        "lines": [
            {"quantity": "8", "cost": _usd("6"), "meter": "seconds", "credits": "480", "tier": "", "defaulted": True}
        ],
    }


def test_a_workflow_is_priced_step_by_step_at_its_products_credit(api):
    """Seed 002's coaching hour at the coaching app's own credit: 100 TWD for 180 minutes, so an hour
    (60 minutes) earns 33.33 TWD (about $1.04 at 32 TWD to the dollar) and its margin is 43.7 %."""
    response = api.post(COACHING, {"workflow": "coaching-session-hour", "quantity": 1})

    assert response.status_code == 200
    assert response.json() == {
        "release": 1,
        "product": "coaching",
        "model": None,
        "variant": None,
        "workflow": "coaching-session-hour",
        "quantity": "1",
        "credits": 60,
        "cost": {
            "provider": {"low": "18.7728", "high": "18.7728", "currency": "TWD"},
            "reporting": {"low": "18.7728", "high": "18.7728", "currency": "TWD"},
        },
        "revenue": {"lowest": "25", "basis": "33.33333333333333333333333334", "currency": "TWD"},
        "margin": {
            "lowest": {
                "gross_margin": {"worst": "0.249088", "best": "0.249088"},
                "markup": {"worst": "0.3317139691468507628057615273", "best": "0.3317139691468507628057615273"},
                "profit": {"worst": "6.2272", "best": "6.2272"},
            },
            "basis": {
                "gross_margin": {"worst": "0.4368160000000000000000000001", "best": "0.4368160000000000000000000001"},
                "markup": {"worst": "0.7756186255291343504076820368", "best": "0.7756186255291343504076820368"},
                "profit": {"worst": "14.56053333333333333333333334", "best": "14.56053333333333333333333334"},
            },
        },
        "lines": [
            {
                "quantity": "1",
                "cost": {"low": "12.8", "high": "12.8", "currency": "TWD"},
                "step": "Speech to text",
                "model": "scribe-v2-realtime",
                "variant": "standard",
            },
            {
                "quantity": "900000",
                "cost": {"low": "2.88", "high": "2.88", "currency": "TWD"},
                "step": "Emotion calls: input (1,200 × 750 tokens)",
                "model": "gemini-flash-lite-latest",
                "variant": "default",
            },
            {
                "quantity": "24000",
                "cost": {"low": "0.3072", "high": "0.3072", "currency": "TWD"},
                "step": "Emotion calls: output (1,200 × 20 tokens)",
                "model": "gemini-flash-lite-latest",
                "variant": "default",
            },
            {
                "quantity": "55500",
                "cost": {"low": "0.888", "high": "0.888", "currency": "TWD"},
                "step": "Report: input",
                "model": "gemini-3-flash-preview",
                "variant": "default",
            },
            {
                "quantity": "2100",
                "cost": {"low": "0.2016", "high": "0.2016", "currency": "TWD"},
                "step": "Report: output",
                "model": "gemini-3-flash-preview",
                "variant": "default",
            },
            {
                "quantity": "50000",
                "cost": {"low": "0.032", "high": "0.032", "currency": "TWD"},
                "step": "RAG embedding",
                "model": "text-embedding-3-small",
                "variant": "default",
            },
            {
                "quantity": "1",
                "cost": {"low": "1.6", "high": "1.6", "currency": "TWD"},
                "step": "Cloud Run",
                "model": "cloud-run",
                "variant": "default",
            },
            {
                "quantity": "1",
                "cost": {"low": "0.032", "high": "0.032", "currency": "TWD"},
                "step": "Supabase database",
                "model": "supabase-db",
                "variant": "default",
            },
            {
                "quantity": "1",
                "cost": {"low": "0.032", "high": "0.032", "currency": "TWD"},
                "step": "Network egress",
                "model": "network-egress",
                "variant": "default",
            },
        ],
    }


def test_a_model_costed_but_not_sold_has_null_credits_and_its_cost_in_its_suppliers_currency(api):
    """Gemini 2.5 Flash bought from Google at seed 002's $0.30 / $2.50 per 1M tokens, reported in TWD."""
    response = api.post(COACHING, {"model": "gemini-2-5-flash", "usage": {"input_tokens": 300, "output_tokens": 700}})

    assert response.status_code == 200
    assert response.json() == {
        "release": 1,
        "product": "coaching",
        "model": "gemini-2-5-flash",
        "variant": "default",
        "workflow": None,
        "quantity": None,
        "credits": None,
        "cost": {"provider": _usd("0.00184"), "reporting": {"low": "0.05888", "high": "0.05888", "currency": "TWD"}},
        "revenue": {"lowest": None, "basis": None, "currency": "TWD"},
        "margin": {"lowest": None, "basis": None},
        "lines": [
            {
                "quantity": "300",
                "cost": _usd("0.00009"),
                "meter": "input_tokens",
                "credits": None,
                "tier": "",
                "defaulted": False,
            },
            {
                "quantity": "700",
                "cost": _usd("0.00175"),
                "meter": "output_tokens",
                "credits": None,
                "tier": "",
                "defaulted": False,
            },
        ],
    }


def test_a_prompt_costs_about_24_points_through_the_gateway(api):
    """Seed 000: one prompt through the CNY gateway, reported in points (¥99 → 1,600,000 points):
    16.2 to 32.5 points over the price band, 24.3 at its middle, the seed's figure."""
    response = api.post(PROMPTS, {"workflow": "prompt-production", "quantity": 1})

    assert response.status_code == 200
    assert response.json() == {
        "release": 1,
        "product": "sora-prompts",
        "model": None,
        "variant": None,
        "workflow": "prompt-production",
        "quantity": "1",
        "credits": None,
        "cost": {
            "provider": {
                "low": "16.22626262626262626262626262",
                "high": "32.45252525252525252525252526",
                "currency": "PTS",
            },
            "reporting": {
                "low": "16.22626262626262626262626262",
                "high": "32.45252525252525252525252526",
                "currency": "PTS",
            },
        },
        "revenue": {"lowest": None, "basis": None, "currency": "PTS"},
        "margin": {"lowest": None, "basis": None},
        "lines": [
            {
                "quantity": "300",
                "cost": {
                    "low": "1.454545454545454545454545455",
                    "high": "2.909090909090909090909090909",
                    "currency": "PTS",
                },
                "step": "Step A: generate (input)",
                "model": "gemini-2-5-flash",
                "variant": "default",
            },
            {
                "quantity": "700",
                "cost": {
                    "low": "6.787878787878787878787878788",
                    "high": "13.57575757575757575757575758",
                    "currency": "PTS",
                },
                "step": "Step A: generate (output)",
                "model": "gemini-2-5-flash",
                "variant": "default",
            },
            {
                "quantity": "80",
                "cost": {
                    "low": "0.3232323232323232323232323232",
                    "high": "0.6464646464646464646464646465",
                    "currency": "PTS",
                },
                "step": "Step B: refine (input)",
                "model": "gemini-3-flash",
                "variant": "default",
            },
            {
                "quantity": "160",
                "cost": {
                    "low": "3.878787878787878787878787879",
                    "high": "7.757575757575757575757575758",
                    "currency": "PTS",
                },
                "step": "Step B: refine (output)",
                "model": "gemini-3-flash",
                "variant": "default",
            },
            {
                "quantity": "18",
                "cost": {
                    "low": "0.2909090909090909090909090909",
                    "high": "0.5818181818181818181818181818",
                    "currency": "PTS",
                },
                "step": "Step C: escalate (input)",
                "model": "gemini-3-pro",
                "variant": "default",
            },
            {
                "quantity": "36",
                "cost": {
                    "low": "3.490909090909090909090909091",
                    "high": "6.981818181818181818181818182",
                    "currency": "PTS",
                },
                "step": "Step C: escalate (output)",
                "model": "gemini-3-pro",
                "variant": "default",
            },
        ],
    }
    cost = response.json()["cost"]["reporting"]
    assert round((Decimal(cost["low"]) + Decimal(cost["high"])) / 2, 1) == Decimal("24.3")


def test_the_quote_is_priced_on_the_release_not_on_the_draft(api):
    CreditRate.objects.filter(model__slug="sora-2-pro").update(credits=40)  # an edit not yet published
    request = {"model": "sora-2-pro", "variant": "1080p", "quantity": 12}

    unchanged = api.post(QUOTE, request).json()
    releases.release_publish(note="Sora 2 Pro: 40 credits a second")
    moved = api.post(QUOTE, request).json()
    pinned = api.post(QUOTE, {**request, "release": 1}).json()

    assert (unchanged["release"], unchanged["credits"]) == (1, 420)
    assert (moved["release"], moved["credits"], moved["revenue"]) == (
        2,
        480,
        {"lowest": "17.184", "basis": "24", "currency": "USD"},
    )
    assert pinned == SORA_2_PRO_1080P_12_SECONDS


def test_a_scheduled_release_prices_quotes_once_it_is_due(api, clock):
    CreditRate.objects.filter(model__slug="sora-2-pro").update(credits=40)
    due = clock["now"].replace(day=8)
    releases.release_publish(note="next week", effective_at=due)
    request = {"model": "sora-2-pro", "variant": "1080p", "quantity": 12}

    before = api.post(QUOTE, request).json()
    clock["now"] = due
    after = api.post(QUOTE, request).json()

    assert (before["release"], before["credits"]) == (1, 420)
    assert (after["release"], after["credits"]) == (2, 480)


def _release_reads(api, request) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert api.post(QUOTE, request).status_code == 200
    return [query["sql"] for query in captured if "billingcfg_release" in query["sql"]]


def test_each_quote_asks_the_database_at_most_which_release_is_in_force(api, settings):
    request = {"model": "sora-2-pro", "variant": "1080p", "quantity": 12}
    api.post(QUOTE, request)  # the process parses the release once

    # Within RELEASE_CHECK_SECONDS the process answers from what it last read.
    assert _release_reads(api, request) == []
    # Checking on every request: one small read of the release in force (and the next one due), no document.
    settings.RELEASE_CHECK_SECONDS = 0
    selectors.forget_release_in_force()  # what was read under the old setting
    _release_reads(api, request)
    reads = _release_reads(api, request)
    assert len(reads) == 2
    assert all('"document"' not in sql for sql in reads)


MODELS = "kling-v2-1, luma-ray-3, minimax-hailuo-02, mochi-1, sora-2, sora-2-pro, veo-3, wan-2-1"  # the video app's
CAP = "must have at most 15 significant digits and 12 decimal places, and be below 10^12 (1,000,000,000,000); got "
NOT_A_NUMBER = 'must be a number: a JSON number or a decimal string such as "12" or "0.5", not '

BAD_REQUESTS = {
    "neither a model nor a workflow": (
        {},
        {
            "model": [
                "give a model (with an optional variant, and a quantity or a usage) or a workflow (with an optional "
                "quantity)"
            ]
        },
    ),
    "both a model and a workflow": (
        {"model": "sora-2-pro", "workflow": "ux"},
        {"workflow": ["give a model or a workflow, not both"]},
    ),
    "an unknown model": ({"model": "sora-3"}, {"model": [f"no active model 'sora-3'; models are: {MODELS}"]}),
    "an unknown variant": (
        {"model": "sora-2-pro", "variant": "4k"},
        {"variant": ["model 'sora-2-pro' has no variant '4k'; its variants are: 720p, 1080p"]},
    ),
    "a zero quantity": (
        {"model": "sora-2-pro", "quantity": 0},
        {"quantity": ["sora-2-pro / 1080p / seconds: the quantity must be above 0, got 0"]},
    ),
    "a negative quantity": (
        {"model": "sora-2-pro", "quantity": -4},
        {"quantity": ["sora-2-pro / 1080p / seconds: the quantity must be above 0, got -4"]},
    ),
    "a fraction of a whole unit": (
        {"model": "gemini-2-5-flash", "usage": {"input_tokens": "300.5", "output_tokens": 1}},
        {
            "usage.input_tokens": [
                "gemini-2-5-flash / default / input_tokens: input tokens are counted in whole units, got 300.5"
            ]
        },
    ),
    "above the maximum": (
        {"model": "kling-v2-1", "quantity": 11},
        {"quantity": ["kling-v2-1 / standard / seconds: 11 is above the maximum of 10"]},
    ),
    "not an allowed quantity": (
        {"model": "sora-2-pro", "quantity": 9},
        {"quantity": ["sora-2-pro / 1080p / seconds: 9 is not allowed; allowed quantities are 4, 8, 10, 12, 15, 25"]},
    ),
    "a meter the model has no rate or cost for": (
        {"model": "sora-2-pro", "usage": {"input_tokens": 5}},
        {"usage.input_tokens": ["sora-2-pro / 1080p: no meter 'input_tokens'; its meters are: seconds"]},
    ),
    "an unknown meter": (
        {"model": "sora-2-pro", "usage": {"wibble": 5}},
        {"usage.wibble": ["sora-2-pro / 1080p: no meter 'wibble'; its meters are: seconds"]},
    ),
    "one quantity for several meters": (
        {"model": "gemini-2-5-flash", "quantity": 5},
        {
            "quantity": [
                "gemini-2-5-flash / default has several meters (input_tokens, output_tokens), so a single quantity is "
                'ambiguous: send "usage" with a quantity per meter instead, e.g. {"input_tokens": 1}'
            ]
        },
    ),
    "no quantity for a model that is not sold": (
        {"model": "gemini-2-5-flash"},
        {"usage": ["gemini-2-5-flash / default: name a quantity for one of its meters: input_tokens, output_tokens"]},
    ),
    "a number of 10^12": ('{"model": "sora-2-pro", "quantity": 1e12}', {"quantity": [CAP + "1E+12"]}),
    "16 significant digits": (
        {"model": "sora-2-pro", "quantity": "1234567890.123456"},
        {"quantity": [CAP + "1234567890.123456"]},
    ),
    "a huge usage": (
        '{"model": "gemini-2-5-flash", "usage": {"input_tokens": 123456789012345678901234567890}}',
        {"usage.input_tokens": [CAP + "123456789012345678901234567890"]},
    ),
    "an exponent beyond any decimal": (
        '{"model": "sora-2-pro", "quantity": 1e-99999999999999999999}',
        {"body": ["JSON parse error: 1e-99999999999999999999 is too large or too small a number"]},
    ),
    "an exponent beyond any decimal, as text": (
        {"model": "sora-2-pro", "quantity": "1e-99999999999999999999"},
        {"quantity": [CAP + "1e-99999999999999999999"]},
    ),
    "40 significant digits": (
        {"workflow": "ux", "quantity": "1.000000000000000000000000000000000000001"},
        {"quantity": [CAP + "1.000000000000000000000000000000000000001"]},
    ),
    "a billion decimal places": ({"workflow": "ux", "quantity": "1e-999999999"}, {"quantity": [CAP + "1e-999999999"]}),
    "a string where an object belongs": (
        {"model": "sora-2-pro", "usage": "12"},
        {"usage": ['Expected a dictionary of items but got type "str".']},
    ),
    "true where a number belongs": ({"model": "sora-2-pro", "quantity": True}, {"quantity": [NOT_A_NUMBER + "true"]}),
    "a list where a number belongs": (
        {"model": "sora-2-pro", "quantity": [12]},
        {"quantity": [NOT_A_NUMBER + "a list"]},
    ),
    "words where a number belongs": (
        {"model": "sora-2-pro", "quantity": "twelve"},
        {"quantity": [NOT_A_NUMBER + '"twelve"']},
    ),
    "an object where a name belongs": ({"model": {"slug": "sora-2-pro"}}, {"model": ["Not a valid string."]}),
    "a number where a name belongs": ({"model": 12}, {"model": ["Not a valid string."]}),
    "a release number as text": (
        {"model": "sora-2-pro", "release": "1"},
        {"release": ["A valid integer is required."]},
    ),
    "a misspelt field": (
        {"model": "sora-2-pro", "quantiy": 12},
        {"quantiy": ["unknown field; fields are: model, variant, quantity, usage, workflow, release"]},
    ),
    "a list for a body": ("[1]", {"body": ["Invalid data. Expected a dictionary, but got list."]}),
    "NaN": (
        '{"model": "sora-2-pro", "quantity": NaN}',
        {"body": ["JSON parse error: NaN is not a number JSON allows"]},
    ),
    "broken JSON": ('{"model": ', {"body": ["JSON parse error: Expecting value: line 1 column 11 (char 10)"]}),
    "an unknown workflow": (
        {"workflow": "podcast"},
        {
            "workflow": [
                "no active workflow 'podcast'; workflows are: deploy, prd, project, project-claude-3-haiku, "
                "project-gpt-3-5-turbo, project-gpt-4-turbo, ux"
            ]
        },
    ),
    "a workflow with a usage": (
        {"workflow": "ux", "usage": {"seconds": 1}},
        {"usage": ["a workflow takes only a quantity"]},
    ),
    "a release number too large to be one": (
        {"model": "veo-3", "release": 10**20},
        {"release": ["Ensure this value is less than or equal to 2147483647."]},
    ),
    "zero units of a workflow": (
        {"workflow": "ux", "quantity": 0},
        {"quantity": ["workflow 'ux': the quantity must be above 0, got 0"]},
    ),
}


# The product each request is sent to: the one selling the model or workflow it names (video otherwise).
ROUTE = {
    "a fraction of a whole unit": COACHING,
    "one quantity for several meters": COACHING,
    "no quantity for a model that is not sold": COACHING,
    "a huge usage": COACHING,
    "an unknown workflow": FLOWS,
    "a workflow with a usage": FLOWS,
    "zero units of a workflow": FLOWS,
}


@pytest.mark.parametrize(
    "route, request_body, errors",
    [(ROUTE.get(name, QUOTE), *case) for name, case in BAD_REQUESTS.items()],
    ids=BAD_REQUESTS.keys(),
)
def test_bad_input_is_a_400_naming_the_field_and_what_is_allowed_and_writes_nothing(api, route, request_body, errors):
    with CaptureQueriesContext(connection) as captured:
        response = api.post(route, request_body)

    assert response.status_code == 400
    assert response.json() == {"errors": errors}
    writes = [
        query["sql"]
        for query in captured
        if query["sql"].startswith(("INSERT", "UPDATE", "DELETE"))
        and "billingcfg_cache" not in query["sql"]
        and "billingcfg_apikey" not in query["sql"]
    ]
    assert writes == []


def test_an_inactive_model_is_not_sold(api):
    AIModel.objects.filter(slug="mochi-1").update(active=False)
    releases.release_publish(note="Mochi 1 withdrawn")

    response = api.post(QUOTE, {"model": "mochi-1"})

    assert response.status_code == 400
    assert response.json() == {
        "errors": {"model": [f"no active model 'mochi-1'; models are: {MODELS.replace(' mochi-1,', '')}"]}
    }


def test_an_unknown_release_is_a_404_listing_the_releases(api):
    response = api.post(QUOTE, {"model": "sora-2-pro", "release": 9})

    assert response.status_code == 404
    assert response.json() == {"detail": "no release 9; releases are: 1"}


def test_a_form_body_is_refused(api):
    response = api.client.post(QUOTE, {"model": "sora-2-pro"}, headers=api.headers)

    assert response.status_code == 415


@pytest.mark.parametrize("key", [None, "malformed"])
def test_quotes_need_a_valid_key(db, key):
    response = Api("bck_x" if key else None).post(QUOTE, {"model": "sora-2-pro"})

    assert response.status_code == 401
