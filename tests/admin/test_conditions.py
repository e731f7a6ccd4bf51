"""Which rows a conditional unique constraint covers, decided without a query per row."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q, UniqueConstraint
from django.test.utils import CaptureQueriesContext

from billingcfg.conditions import condition_holds, field_values
from tests import factories as f

ROWS = {
    "default variant": lambda: f.variant_unsaved(is_default=True),
    "other variant": lambda: f.variant_unsaved(is_default=False),
    "base cost, one variant": lambda: f.provider_cost_unsaved(for_default_variant=True),
    "base cost, all variants": lambda: f.provider_cost_unsaved(),
    "tier cost, one variant": lambda: f.provider_cost_unsaved(
        for_default_variant=True, tier_threshold=Decimal("200000"), tier_mode="cliff"
    ),
    "tier cost, all variants": lambda: f.provider_cost_unsaved(tier_threshold=Decimal("200000"), tier_mode="cliff"),
    "rate, one variant": lambda: f.credit_rate_unsaved(for_default_variant=True),
    "rate, all variants": lambda: f.credit_rate_unsaved(),
}


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_python_and_the_database_agree_on_every_conditional_constraint(row):
    instance = row()
    conditional = [
        c for c in type(instance)._meta.constraints if isinstance(c, UniqueConstraint) and c.condition is not None
    ]
    assert conditional

    with CaptureQueriesContext(connection) as queries:
        in_python = {c.name: condition_holds(c.condition, instance) for c in conditional}

    assert in_python == {c.name: c.condition.check(field_values(instance)) for c in conditional}
    assert len(queries) == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("notes", "expected"), [("long context", True), ("short", False)])
def test_a_lookup_python_does_not_know_is_asked_of_the_database(notes, expected):
    cost = f.provider_cost_unsaved(notes=notes)

    with CaptureQueriesContext(connection) as queries:
        holds = condition_holds(Q(notes__contains="context") & Q(variant__isnull=True), cost)

    selects = [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert (holds, len(selects)) == (expected, 1)
