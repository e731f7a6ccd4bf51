"""The configuration document: exact decimals, one query per table, and the same
catalogue whether the engine reads the draft tables or a document."""

import hashlib
import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billingcfg import digits
from billingcfg.releases.document import (
    canonical_bytes,
    catalogue_from_document,
    catalogue_from_draft,
    configuration_of,
    draft_configuration,
    product_configuration,
    product_document,
    product_documents,
    product_slugs,
)
from pricing.money import dec
from rates.models import ProviderCost


def test_canonical_bytes_do_not_depend_on_key_order():
    assert canonical_bytes({"b": 1, "a": {"d": "é", "c": None}}) == '{"a":{"c":null,"d":"é"},"b":1}'.encode()


def _unordered(catalogue):
    """A catalogue's models with their rows as sets: the document lists rows by natural key,
    the draft reader by database order."""
    return {
        slug: (
            model.name,
            model.provider,
            model.modality,
            model.active,
            model.variants,
            frozenset(model.costs),
            frozenset(model.rates),
        )
        for slug, model in catalogue.models.items()
    }


def test_the_engine_reads_the_same_catalogue_from_the_draft_tables_and_from_the_document(demo):
    from_document, from_draft = catalogue_from_document(draft_configuration()), catalogue_from_draft()

    assert _unordered(from_document) == _unordered(from_draft)
    for part in ("product", "products", "fx_rates", "offers", "plans", "meters", "workflows", "thresholds"):
        assert getattr(from_document, part) == getattr(from_draft, part), part


def test_the_document_carries_seed_003s_default_usage_and_margins(demo):
    document = product_document(draft_configuration(), "video")
    veo = next(model for model in document["models"] if model["slug"] == "veo-3")
    audio = next(variant for variant in veo["variants"] if variant["slug"] == "audio")

    assert audio["default_usage"]["usage"] == {"seconds": "8"}
    assert audio["default_usage"]["credits"] == 480
    assert audio["default_usage"]["cost"]["reporting"] == {"low": "6", "high": "6", "currency": "USD"}
    assert audio["default_usage"]["revenue"] == {"lowest": "17.184", "basis": "24", "currency": "USD"}
    assert audio["default_usage"]["margin"]["basis"]["gross_margin"] == {"worst": "0.75", "best": "0.75"}
    assert veo["credit_rates"][0]["allowed_quantities"] == ["4", "6", "8"]
    # Seed 003's four packs and three plans, price / credits; seed 002's plans are the coaching product's.
    offers = [("15", 250), ("28", 500), ("52", 1000), ("120", 2500), ("19", 400), ("59", 1500), ("179", 5000)]
    mean = sum((Decimal(price) / credits for price, credits in offers), Decimal(0)) / len(offers)
    assert document["revenue_per_credit"] == {
        "currency": "USD",
        "lowest": "0.0358",
        "mean": dec(mean),
        "highest": "0.06",
        "basis": "0.05",
        "basis_name": "fixed",
    }
    assert dec(mean).startswith("0.048376190476190")  # ≈ $0.0484 a credit


@pytest.mark.parametrize("price", [digits.UNIT_PRICE.largest, digits.UNIT_PRICE.step, Decimal("0.00000123")])
def test_extreme_prices_read_back_exactly_into_the_document(demo, price):
    cost = ProviderCost.objects.filter(model__slug="sora-2").get()
    cost.price = price
    cost.save()

    text = json.dumps(draft_configuration())
    assert f'"price": "{dec(price)}"' in text
    assert "E-" not in text and "E+" not in text


def test_configuration_of_a_product_document_is_its_figures_only(demo):
    configuration = draft_configuration()
    for slug in product_slugs(configuration):
        document = product_document(configuration, slug)
        figures = configuration_of(document)

        assert figures == product_configuration(configuration, slug)
        assert "revenue_per_credit" in document and "revenue_per_credit" not in figures
        assert all("margins" not in model for model in figures["models"])


def test_reading_the_draft_costs_one_query_per_table_whatever_its_size(demo):
    from bench.margins import generate

    with CaptureQueriesContext(connection) as small:
        draft_configuration()
    generate(500)
    with CaptureQueriesContext(connection) as large:
        configuration = draft_configuration()

    assert len(configuration["models"]) == 27 + 100
    assert len(small) == len(large) == 15


# The demo's draft on a fixed day, byte for byte: the whole configuration (no margins) and each product's
# document (what its backend reads, with its margins). A restructuring must leave them alone: change these
# pins only in a commit that means to change what a document says (and say so in its message).
DEMO_DRAFT_SHA256 = {
    "configuration": "2ccd01cd14f8e7d9056543ecdf79fb957082d0c93d4a4a6d772befc07e5c3c4e",
    "video": "42d6337b5bd8b1bb8f12bdff2c34389da56d76070f803199d59919ddb1617a42",
    "coaching": "76de4c7e106263c1da3021497096ab7dfd1efbb5e0e6b6f5719538d6baebb8dc",
    "sora-prompts": "3b266c87947fa871ef61801a9b7242b5e1a7e1d373461b3bedd138786bd2a7e2",
    "dev-flows": "16bc1e4eb9bf7e28f03cbf376c6428fbe0dc3c35c98c9a1eead9d53e6582d413",
}


def test_the_demo_draft_documents_are_byte_for_byte_what_they_were(demo):
    configuration = draft_configuration()
    documents = {"configuration": configuration, **product_documents(configuration, on=date(2026, 12, 1))}

    found = {name: hashlib.sha256(canonical_bytes(document)).hexdigest() for name, document in documents.items()}

    assert found == DEMO_DRAFT_SHA256
