"""Reading the draft tables back as a catalogue for the admin (`document.draft_snapshot`):
the demo loaded and read back is the demo data itself, in a constant number of queries."""

from dataclasses import replace

import pytest

from billingcfg.releases.document import catalogue_from_draft, draft_snapshot
from rates.models import AIModel, CreditRate, Variant, Workflow
from tests import factories as f
from tests.demo_catalogue import demo_catalogue


def _rates_in_order(catalogue):
    return replace(
        catalogue,
        fx_rates=tuple(sorted(catalogue.fx_rates, key=lambda rate: (rate.from_currency, rate.to_currency, rate.as_of))),
    )


def test_the_loaded_demo_reads_back_as_the_demo_data(demo):
    assert _rates_in_order(catalogue_from_draft()) == _rates_in_order(demo_catalogue())


def test_ids_map_every_slug_to_its_row(demo):
    snapshot = draft_snapshot()

    assert snapshot.model_ids["sora-2-pro"] == AIModel.objects.get(slug="sora-2-pro").pk
    assert (
        snapshot.variant_ids[("sora-2-pro", "1080p")] == Variant.objects.get(model__slug="sora-2-pro", slug="1080p").pk
    )
    assert (
        snapshot.rate_ids[("video", "wan-2-1", "720p", "seconds")]
        == CreditRate.objects.get(model__slug="wan-2-1", variant__slug="720p").pk
    )
    assert snapshot.rate_ids[("video", "sora-2", None, "seconds")] == CreditRate.objects.get(model__slug="sora-2").pk
    assert snapshot.workflow_ids["prd"] == Workflow.objects.get(slug="prd").pk


def test_reading_the_draft_costs_the_same_queries_for_a_bigger_catalogue(demo, django_assert_num_queries):
    with django_assert_num_queries(13) as before:
        catalogue_from_draft()
    for number in range(20):
        model = f.ai_model(slug=f"extra-{number}")
        f.provider_cost(model=model)
        f.credit_rate(model=model)
    with django_assert_num_queries(len(before.captured_queries)):
        catalogue = catalogue_from_draft()

    assert "extra-19" in catalogue.models


@pytest.mark.django_db
def test_an_empty_configuration_says_what_is_missing():
    catalogue = catalogue_from_draft()

    assert catalogue.product is None and catalogue.products == {} and catalogue.models == {}
