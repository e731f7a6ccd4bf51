"""Restoring a release into the draft: the draft becomes the release's figures
exactly, every write is in the history with who and why, and a restore that
fails writes nothing."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied

from billingcfg.models import AlertThreshold, Currency, ExchangeRate, Product, Release
from billingcfg.releases import services as releases
from billingcfg.releases.document import canonical_bytes, configuration_of, draft_configuration, sha256
from billingcfg.releases.restore import LoadError, draft_load, release_restore
from billingcfg.releases.services import release_document, release_publish
from billingcfg.releases.tables import configuration_rows
from plans.models import CreditPack
from rates.models import AIModel, CreditRate, Meter, Provider, ProviderCost, Variant, Workflow
from tests.factories import staff_in

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
REASON = "Restored from release v1"


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Both publishes happen at the same instant, so their computed margins are judged on the same day."""
    monkeypatch.setattr(releases, "now", lambda: NOW)


@pytest.fixture
def v1(demo, publisher) -> Release:
    return release_publish(note="The demo prices", user=publisher)


def _history_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for app in ("billingcfg", "plans", "rates")
        for model in apps.get_app_config(app).get_models()
        if model.__name__.startswith("Historical")
    }


def _edit_the_draft() -> None:
    """What an ops person might do after publishing: reprice, add, delete, rearrange."""
    CreditRate.objects.filter(model__slug="sora-2").update(credits=Decimal("12"))
    frames = Meter.objects.create(slug="frames", name="Frames", unit="frame", whole_units=True)
    extra = AIModel.objects.create(
        slug="pika-2", name="Pika 2", provider=Provider.objects.get(slug="fal"), modality="video"
    )
    Variant.objects.create(model=extra, slug="default", name="Default", is_default=True)
    ProviderCost.objects.create(
        model=extra,
        supplier=extra.supplier,
        meter=frames,
        price=Decimal("0.002"),
        currency=Currency.objects.get(code="USD"),
        as_of=date(2026, 3, 1),
    )
    CreditRate.objects.create(
        product=Product.objects.get(is_default=True), model=extra, meter=frames, credits=Decimal("0.05")
    )
    CreditPack.objects.get(slug="booster").delete()
    # Swap Sora 2 Pro's default variant; replace Kling v2.5 Turbo's default variant by another.
    Variant.objects.filter(model__slug="sora-2-pro", slug="1080p").update(is_default=False)
    Variant.objects.filter(model__slug="sora-2-pro", slug="720p").update(is_default=True)
    Variant.objects.get(model__slug="kling-v2-5-turbo", slug="default").delete()
    Variant.objects.create(
        model=AIModel.objects.get(slug="kling-v2-5-turbo"), slug="turbo", name="Turbo", is_default=True
    )
    project = Workflow.objects.get(slug="project")
    project.steps.get(position=6).delete()
    project.steps.filter(position=1).update(quantity=Decimal("1200"))
    AlertThreshold.objects.get(slug="sonnet-high-volume").actions.update(
        switch_to_model=AIModel.objects.get(slug="gpt-3-5-turbo")
    )
    Product.objects.filter(slug="video").update(target_gross_margin=Decimal("0.8"))
    ExchangeRate.objects.create(
        from_currency=Currency.objects.get(code="USD"),
        to_currency=Currency.objects.get(code="TWD"),
        to_amount=Decimal("31.5"),
        as_of=date(2026, 3, 1),
    )


def test_restore_returns_an_edited_draft_to_the_release_exactly(v1, publisher):
    _edit_the_draft()
    assert draft_configuration() != configuration_of(release_document(v1))

    result = release_restore(version=1, user=publisher)

    assert draft_configuration() == configuration_of(release_document(v1))
    assert CreditRate.objects.get(model__slug="sora-2").credits == Decimal("10")
    assert CreditPack.objects.get(slug="booster").price == Decimal("28")
    assert not AIModel.objects.filter(slug="pika-2").exists()
    assert not Meter.objects.filter(slug="frames").exists()
    assert Variant.objects.get(model__slug="sora-2-pro", is_default=True).slug == "1080p"
    assert Variant.objects.get(model__slug="kling-v2-5-turbo").slug == "default"
    assert dict(result.created) == {"credit packs": 1, "variants": 1, "workflow steps": 1}
    assert dict(result.deleted) == {
        "AI models": 1,
        "credit rates": 1,
        "exchange rates": 1,
        "meters": 1,
        "provider costs": 1,
        "variants": 2,
    }
    # The two Sora 2 Pro variants and Kling's "turbo", which gives up the default before "default" takes it back.
    assert dict(result.updated) == {
        "credit rates": 1,
        "products": 1,
        "threshold actions": 1,
        "variants": 3,
        "workflow steps": 1,
    }


def test_publishing_after_a_restore_gives_the_old_document_byte_for_byte(v1, publisher):
    _edit_the_draft()
    release_restore(version=1, user=publisher)

    v2 = release_publish(note="Back to the demo prices", user=publisher)

    old, new = release_document(v1), release_document(v2)
    assert canonical_bytes(configuration_of(new)) == canonical_bytes(configuration_of(old))
    del old["release"], new["release"]
    assert canonical_bytes(new) == canonical_bytes(old)
    assert v2.version == 2 and v2.sha256 != v1.sha256  # the headers differ: version, note


def test_restore_never_changes_a_release(v1, publisher):
    stored = (v1.document, v1.sha256, v1.note, v1.effective_at)
    _edit_the_draft()

    release_restore(version=1, user=publisher)

    v1.refresh_from_db()
    assert (v1.document, v1.sha256, v1.note, v1.effective_at) == stored
    assert Release.objects.count() == 1


def test_every_row_the_restore_writes_records_the_reason_and_the_publisher(v1, publisher):
    _edit_the_draft()
    pika = AIModel.objects.get(slug="pika-2").pk

    release_restore(version=1, user=publisher)

    repriced = CreditRate.objects.get(model__slug="sora-2").history.first()
    recreated = CreditPack.objects.get(slug="booster").history.first()
    deleted = AIModel.history.filter(id=pika).first()
    assert [
        (record.history_type, record.history_change_reason, record.history_user)
        for record in (repriced, recreated, deleted)
    ] == [
        ("~", REASON, publisher),
        ("+", REASON, publisher),
        ("-", REASON, publisher),
    ]
    assert repriced.credits == Decimal("10")


def test_unchanged_rows_get_no_history(v1, publisher):
    CreditRate.objects.filter(model__slug="sora-2").update(credits=Decimal("12"))
    before = _history_counts()

    release_restore(version=1, user=publisher)

    grown = {label: count - before[label] for label, count in _history_counts().items() if count != before[label]}
    assert grown == {"rates.HistoricalCreditRate": 1}


def test_restoring_twice_writes_nothing_the_second_time(v1, publisher):
    _edit_the_draft()
    release_restore(version=1, user=publisher)
    before = _history_counts()

    again = release_restore(version=1, user=publisher)

    assert not again.changed
    assert (dict(again.created), dict(again.updated), dict(again.deleted)) == ({}, {}, {})
    # Every row of the release, each found unchanged.
    assert sum(again.unchanged.values()) == sum(map(len, configuration_rows(release_document(v1)).values()))
    assert _history_counts() == before


def _release_with(document: dict, version: int) -> Release:
    """A stored release holding `document` (publishing would refuse it)."""
    body = canonical_bytes(document)
    return Release.objects.create(
        version=version,
        document=body.decode(),
        sha256=sha256(body),
        note="Broken",
        published_by_name="test",
        published_at=NOW,
        effective_at=NOW,
    )


def test_a_failing_restore_names_the_row_and_leaves_the_draft_unchanged(v1, publisher):
    document = release_document(v1)
    sora = next(model for model in document["models"] if model["slug"] == "sora-2")
    sora["provider"] = "no-such-provider"
    _release_with(document, version=2)
    # Currencies load before models: this edit would be undone before the failure, then rolled back.
    Currency.objects.filter(code="USD").update(name="Dollar (edited)")
    draft, history = draft_configuration(), _history_counts()

    with pytest.raises(LoadError) as failure:
        release_restore(version=2, user=publisher)

    assert str(failure.value) == (
        "AI models sora-2: provider: there is no provider 'no-such-provider' in the configuration"
    )
    assert (failure.value.table, failure.value.key) == ("AI models", "sora-2")
    assert draft_configuration() == draft
    assert Currency.objects.get(code="USD").name == "Dollar (edited)"
    assert _history_counts() == history


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda rate: rate.update(credits="0"),
            "credit rates video: sora-2 / all variants / seconds: Credits must be above 0: a rate never gives usage away.",
        ),
        (
            lambda rate: rate.update(default_quantity="5"),
            "credit rates video: sora-2 / all variants / seconds: default_quantity: Default quantity 5 is not one of the "
            "allowed quantities (4, 8, 12).",
        ),
        (
            lambda rate: rate.update(meter="frames"),
            "credit rates video: sora-2 / all variants / frames: meter: there is no meter 'frames' in the configuration",
        ),
        (
            lambda rate: rate.update(credits="ten"),
            "credit rates video: sora-2 / all variants / seconds: credits: 'ten' is not a number",
        ),
    ],
    ids=["check-constraint", "clean-rule", "unknown-meter", "not-a-number"],
)
def test_a_row_breaking_a_rule_is_refused_with_the_rule(demo, edit, message):
    configuration = draft_configuration()
    sora = next(model for model in configuration["models"] if model["slug"] == "sora-2")
    edit(sora["credit_rates"][0])
    draft = draft_configuration()

    with pytest.raises(LoadError) as failure:
        draft_load(configuration, prune=True, reason="test")

    assert str(failure.value) == message
    assert draft_configuration() == draft


def test_two_default_variants_of_one_model_are_refused(demo):
    configuration = draft_configuration()
    pro = next(model for model in configuration["models"] if model["slug"] == "sora-2-pro")
    for variant in pro["variants"]:
        variant["is_default"] = True

    with pytest.raises(
        LoadError, match="a model has exactly one default variant; sora-2-pro / 720p and sora-2-pro / 1080p are both"
    ):
        draft_load(configuration, prune=True, reason="test")


def test_two_default_products_are_refused_and_nothing_is_written(demo):
    configuration = draft_configuration()
    for product in configuration["products"]:
        product["is_default"] = product["slug"] in ("video", "coaching")
    draft = draft_configuration()

    with pytest.raises(LoadError, match="a configuration has exactly one default product; video and coaching are both"):
        draft_load(configuration, prune=True, reason="test")
    assert draft_configuration() == draft


def test_a_release_whose_default_product_was_another_restores_it(v1, publisher):
    """The draft moved the default from video to coaching since v1: restoring gives it back to video."""
    Product.objects.filter(slug="video").update(is_default=False)
    Product.objects.filter(slug="coaching").update(is_default=True)

    release_restore(version=1, user=publisher)

    assert list(Product.objects.filter(is_default=True).values_list("slug", flat=True)) == ["video"]
    assert draft_configuration() == configuration_of(release_document(v1))


def test_an_unknown_version_is_refused(v1, publisher):
    with pytest.raises(Release.DoesNotExist, match="there is no release v9: the only release is v1"):
        release_restore(version=9, user=publisher)


def test_restoring_needs_the_publish_permission(v1):
    editor = staff_in("editor")
    CreditRate.objects.filter(model__slug="sora-2").update(credits=Decimal("12"))

    with pytest.raises(PermissionDenied, match="permission to publish releases"):
        release_restore(version=1, user=editor)

    assert CreditRate.objects.get(model__slug="sora-2").credits == Decimal("12")


def test_without_a_user_the_restore_is_made_by_the_system(v1):
    CreditRate.objects.filter(model__slug="sora-2").update(credits=Decimal("12"))

    release_restore(version=1, user=None)

    record = CreditRate.objects.get(model__slug="sora-2").history.first()
    assert (record.credits, record.history_user, record.history_change_reason) == (Decimal("10"), None, REASON)


def test_loading_without_pruning_leaves_rows_beside_the_configuration(demo):
    configuration = draft_configuration()
    Meter.objects.create(slug="frames", name="Frames", unit="frame")
    CreditPack.objects.filter(slug="starter").update(price=Decimal("99"))

    result = draft_load(configuration, prune=False, reason="test")

    assert Meter.objects.filter(slug="frames").exists()
    assert CreditPack.objects.get(slug="starter").price == Decimal("15")
    assert (dict(result.updated), dict(result.deleted)) == ({"credit packs": 1}, {})


def test_a_loaded_configuration_reads_back_as_itself(demo):
    configuration = json.loads(json.dumps(draft_configuration()))

    result = draft_load(configuration, prune=True, reason="test")

    assert not result.changed
    assert draft_configuration() == configuration


def test_something_that_is_not_a_configuration_is_refused(demo):
    with pytest.raises(LoadError, match="^configuration: not a configuration document: 'schema_version' is missing$"):
        draft_load({"models": []}, prune=True, reason="test")

    assert AIModel.objects.count() == 27
