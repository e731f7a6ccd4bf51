"""The price-list import in the admin, as an editor uses it: upload → dry-run
report → "Apply to the draft"; what a viewer may not do; and the alias table."""

import html
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from rates.admin_price_list import DRAFT_MOVED, UPLOAD_GONE
from rates.models import AIModel, CreditRate, PriceListAlias, ProviderCost, Variant
from tests.admin.pages import admin_url, shown_errors
from tests.factories import staff_in

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/rates/pricelistalias/import-price-list/"
PRICE_LIST = {
    "sample_spec": {"input_cost_per_token": 0.0},
    "gemini/veo-3.0-generate-preview": {"output_cost_per_second": 0.4, "litellm_provider": "gemini"},
    "openai/sora-2-pro": {"output_cost_per_second_1080p": 0.7, "litellm_provider": "openai"},
    "gpt-4-turbo": {
        "litellm_provider": "openai",
        "input_cost_per_token": 1e-05,
        "output_cost_per_token": 3e-05,
        "input_cost_per_token_batches": 5e-06,
    },
    "mistral/mistral-large-latest": {"input_cost_per_token": 2e-06},
}


@pytest.fixture
def alias(demo):
    veo = AIModel.objects.get(slug="veo-3")
    return PriceListAlias.objects.update_or_create(
        name="gemini/veo-3.0-generate-preview",
        defaults={"model": veo, "variant": Variant.objects.get(model=veo, slug="audio")},
    )[0]


@pytest.fixture
def editor(alias) -> Client:
    client = Client()
    client.force_login(staff_in("editor"))
    return client


def upload(entries=None, name="prices.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, json.dumps(PRICE_LIST if entries is None else entries).encode(), content_type="application/json"
    )


def veo_price() -> Decimal:
    return ProviderCost.objects.get(model__slug="veo-3", variant__slug="audio", meter__slug="seconds").price


def upload_errors(response) -> list[str]:
    return list(response.context["form"].errors.get("file", []))


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_alias_list_links_to_the_import_page(editor):
    page = editor.get(admin_url(PriceListAlias, "changelist"))

    assert page.status_code == 200
    assert IMPORT_URL in page.content.decode()
    assert "gemini/veo-3.0-generate-preview" in page.content.decode()


def test_upload_shows_the_report_and_writes_nothing(editor):
    assert editor.get(IMPORT_URL).status_code == 200

    report = editor.post(IMPORT_URL, {"file": upload()})

    assert report.status_code == 200
    assert veo_price() == Decimal("0.75")
    shown = text(report)
    assert "Report (dry run: nothing written yet): prices.json" in shown
    changes = report.context["changes"]
    assert [(c["row"], c["old"], c["new"], c["change"]) for c in changes] == [
        ("sora-2-pro / 1080p / seconds", "0.5 USD", "0.7 USD", "+40.0%"),
        ("veo-3 / audio / seconds", "0.75 USD", "0.4 USD", "−46.7%"),
    ]
    moves = report.context["moves"]
    assert [
        (m["row"], m["lowest_old"]["text"], m["lowest_new"]["text"], m["basis_new"]["text"], m["below_target"])
        for m in moves
    ] == [
        ("sora-2-pro / 1080p / seconds", "60.1%", "44.1%", "60.0%", True),
        ("veo-3 / audio / seconds", "65.1%", "81.4%", "86.7%", False),
    ]
    assert "Below target" in shown
    assert "a batch-API price; the catalogue holds the standard price" in shown
    assert "mistral/mistral-large-latest" in shown
    assert 'value="Apply to the draft"' in shown


def test_apply_writes_the_reported_prices_into_the_draft(editor):
    report = editor.post(IMPORT_URL, {"file": upload()})
    hidden = {"sha256": report.context["report"].sha256, "draft_sha256": report.context["report"].draft_sha256}

    applied = editor.post(IMPORT_URL, {**hidden, "apply": "Apply to the draft"})

    assert applied.status_code == 200
    assert veo_price() == Decimal("0.4")
    assert "Written into the draft from prices.json: provider costs: 2 updated." in text(applied)
    latest = ProviderCost.objects.get(model__slug="veo-3", variant__slug="audio").history.first()
    assert (latest.history_user.username, latest.history_change_reason) == ("editor", "Price list prices.json")
    # Applied once: the kept upload is gone, so a second click cannot write it again.
    again = editor.post(IMPORT_URL, {**hidden, "apply": "Apply to the draft"})
    assert UPLOAD_GONE in text(again)


def test_apply_refuses_a_file_other_than_the_reported_one(editor):
    editor.post(IMPORT_URL, {"file": upload()})

    refused = editor.post(IMPORT_URL, {"sha256": "0" * 64, "draft_sha256": "", "apply": "Apply to the draft"})

    assert UPLOAD_GONE in text(refused)
    assert veo_price() == Decimal("0.75")


def test_apply_shows_a_fresh_report_when_the_draft_moved(editor):
    report = editor.post(IMPORT_URL, {"file": upload()})
    rate = CreditRate.objects.get(model__slug="veo-3")
    rate.credits = Decimal("70")
    rate.save()

    moved = editor.post(
        IMPORT_URL,
        {
            "sha256": report.context["report"].sha256,
            "draft_sha256": report.context["report"].draft_sha256,
            "apply": "Apply",
        },
    )

    assert DRAFT_MOVED in text(moved)
    assert veo_price() == Decimal("0.75")
    veo = next(m for m in moved.context["moves"] if m["model"] == "veo-3")
    assert veo["credits"] == "70"


def test_a_bad_file_is_refused_on_the_form(editor):
    refused = editor.post(IMPORT_URL, {"file": upload({"gpt-4-turbo": {"input_cost_per_token": "cheap"}})})

    message = (
        "prices.json: entry 'gpt-4-turbo' / input_cost_per_token: \"cheap\" is not a number; a price is a "
        "JSON number such as 0.0000025. Nothing was written."
    )
    assert refused.status_code == 200
    assert upload_errors(refused) == [message]
    assert message in text(refused)
    assert "report" not in refused.context


@pytest.mark.parametrize(
    ("data", "message"),
    [
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
def test_a_hostile_file_is_refused_on_the_form(editor, data, message):
    refused = editor.post(
        IMPORT_URL, {"file": SimpleUploadedFile("prices.json", data, content_type="application/json")}
    )

    assert refused.status_code == 200
    assert upload_errors(refused) == [f"prices.json: {message}. Nothing was written."]


def test_a_file_over_the_size_limit_is_refused_on_the_form(editor, settings):
    settings.IMPORT_MAX_BYTES = 50

    refused = editor.post(IMPORT_URL, {"file": upload()})

    assert upload_errors(refused) == [
        f"'prices.json' is {len(upload().read()):,} bytes; the largest file an "
        "import takes is 50 bytes (IMPORT_MAX_BYTES)"
    ]


def test_the_provider_filter_limits_the_report(editor):
    report = editor.post(IMPORT_URL, {"file": upload(), "providers": ["openai"]})

    assert [c["model"] for c in report.context["changes"]] == ["sora-2-pro"]
    assert report.context["report"].excluded == ("gemini/veo-3.0-generate-preview",)


def test_a_viewer_may_not_import(alias):
    viewer = Client()
    viewer.force_login(staff_in("viewer"))

    assert viewer.get(admin_url(PriceListAlias, "changelist")).status_code == 200
    assert IMPORT_URL not in viewer.get(admin_url(PriceListAlias, "changelist")).content.decode()
    assert viewer.get(IMPORT_URL).status_code == 403
    assert viewer.post(IMPORT_URL, {"file": upload()}).status_code == 403
    assert veo_price() == Decimal("0.75")


def test_an_alias_variant_must_belong_to_its_model(editor):
    page = editor.post(
        admin_url(PriceListAlias, "add"),
        {
            "name": "openai/sora-2",
            "model": AIModel.objects.get(slug="sora-2").pk,
            "variant": Variant.objects.get(model__slug="veo-3", slug="audio").pk,
            "notes": "",
        },
    )

    assert page.status_code == 200
    assert "Variant 'audio' belongs to another model, not to 'sora-2'." in shown_errors(page)
    assert not PriceListAlias.objects.filter(name="openai/sora-2").exists()


def test_an_editor_adds_an_alias(editor):
    response = editor.post(
        admin_url(PriceListAlias, "add"),
        {
            "name": "vertex_ai/veo-3.0-fast-generate-preview",
            "model": AIModel.objects.get(slug="veo-3-1-fast").pk,
            "variant": "",
            "notes": "Vertex's name for it",
        },
    )

    assert response.status_code == 302, shown_errors(response)
    assert str(PriceListAlias.objects.get(name="vertex_ai/veo-3.0-fast-generate-preview")) == (
        "vertex_ai/veo-3.0-fast-generate-preview → veo-3-1-fast"
    )
    assert reverse("admin:rates_pricelistalias_import_price_list") == IMPORT_URL
