"""POST /api/v1/quote/: one usage priced against a release (DESIGN §6), with
literal expected bodies for the demo data (seed 003's video prices, seed 002's
coaching hour, seed 000's gateway-priced Gemini)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billingcfg.api import selectors
from billingcfg.releases import services as releases
from rates.models import AIModel, CreditRate
from tests.api.conftest import Api

QUOTE = "/api/v1/quote/"

pytestmark = pytest.mark.usefixtures("demo_release")


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
    assert api.post(QUOTE, '{"workflow": "coaching-session-hour", "quantity": 0.1}').json()["credits"] == 6


def test_without_a_quantity_the_default_is_charged_and_marked(api):
    response = api.post(QUOTE, {"model": "veo-3"})

    assert response.status_code == 200
    assert response.json() == {
        "release": 1,
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


def test_a_workflow_is_priced_step_by_step(api):
    response = api.post(QUOTE, {"workflow": "coaching-session-hour", "quantity": 1})

    assert response.status_code == 200
    assert response.json() == {
        "release": 1,
        "model": None,
        "variant": None,
        "workflow": "coaching-session-hour",
        "quantity": "1",
        "credits": 60,
        "cost": {"provider": _usd("0.58665"), "reporting": _usd("0.58665")},
        "revenue": {"lowest": "2.148", "basis": "3", "currency": "USD"},
        "margin": {
            "lowest": _exact("0.726885474860335195530726257", "2.661467655331117361288672974", "1.56135"),
            "basis": _exact("0.80445", "4.113781641523906929174124265", "2.41335"),
        },
        "lines": [
            {
                "quantity": "1",
                "cost": _usd("0.4"),
                "step": "Speech to text",
                "model": "scribe-v2-realtime",
                "variant": "standard",
            },
            {
                "quantity": "900000",
                "cost": _usd("0.09"),
                "step": "Emotion calls: input (1,200 × 750 tokens)",
                "model": "gemini-flash-lite-latest",
                "variant": "default",
            },
            {
                "quantity": "24000",
                "cost": _usd("0.0096"),
                "step": "Emotion calls: output (1,200 × 20 tokens)",
                "model": "gemini-flash-lite-latest",
                "variant": "default",
            },
            {
                "quantity": "55500",
                "cost": _usd("0.02775"),
                "step": "Report: input",
                "model": "gemini-3-flash-preview",
                "variant": "default",
            },
            {
                "quantity": "2100",
                "cost": _usd("0.0063"),
                "step": "Report: output",
                "model": "gemini-3-flash-preview",
                "variant": "default",
            },
            {
                "quantity": "50000",
                "cost": _usd("0.001"),
                "step": "RAG embedding",
                "model": "text-embedding-3-small",
                "variant": "default",
            },
            {"quantity": "1", "cost": _usd("0.05"), "step": "Cloud Run", "model": "cloud-run", "variant": "default"},
            {
                "quantity": "1",
                "cost": _usd("0.001"),
                "step": "Supabase database",
                "model": "supabase-db",
                "variant": "default",
            },
            {
                "quantity": "1",
                "cost": _usd("0.001"),
                "step": "Network egress",
                "model": "network-egress",
                "variant": "default",
            },
        ],
    }


def test_a_model_costed_but_not_sold_has_null_credits_and_its_cost_in_yuan(api):
    response = api.post(QUOTE, {"model": "gemini-2-5-flash", "usage": {"input_tokens": 300, "output_tokens": 700}})

    assert response.status_code == 200
    assert response.json() == {
        "release": 1,
        "model": "gemini-2-5-flash",
        "variant": "default",
        "workflow": None,
        "quantity": None,
        "credits": None,
        "cost": {
            "provider": {"low": "0.00051", "high": "0.00102", "currency": "CNY"},
            "reporting": {
                "low": "0.00007183098591549295774647887324",
                "high": "0.0001436619718309859154929577465",
                "currency": "USD",
            },
        },
        "revenue": {"lowest": None, "basis": None, "currency": "USD"},
        "margin": {"lowest": None, "basis": None},
        "lines": [
            {
                "quantity": "300",
                "cost": {"low": "0.00009", "high": "0.00018", "currency": "CNY"},
                "meter": "input_tokens",
                "credits": None,
                "tier": "",
                "defaulted": False,
            },
            {
                "quantity": "700",
                "cost": {"low": "0.00042", "high": "0.00084", "currency": "CNY"},
                "meter": "output_tokens",
                "credits": None,
                "tier": "",
                "defaulted": False,
            },
        ],
    }


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


MODELS = (
    "claude-3-5-sonnet, claude-3-haiku, cloud-run, gemini-2-5-flash, gemini-3-flash, gemini-3-flash-preview, "
    "gemini-3-pro, gemini-flash-lite-latest, gpt-3-5-turbo, gpt-4-turbo, kling-v2-1, kling-v2-5-turbo, "
    "luma-ray-3, luma-ray-flash-2, minimax-hailuo-02, mochi-1, network-egress, scribe-v2-realtime, sora-2, "
    "sora-2-pro, supabase-db, text-embedding-3-small, veo-3, veo-3-1, veo-3-1-fast, wan-2-1, wan-2-5"
)
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
                "no active workflow 'podcast'; workflows are: coaching-session-hour, deploy, prd, project, "
                "prompt-production, ux"
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


@pytest.mark.parametrize("request_body, errors", BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_bad_input_is_a_400_naming_the_field_and_what_is_allowed_and_writes_nothing(api, request_body, errors):
    with CaptureQueriesContext(connection) as captured:
        response = api.post(QUOTE, request_body)

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
