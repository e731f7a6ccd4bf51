"""Every rule the database enforces on the configuration tables is tested: the
declared constraints (each broken on purpose in the apps' test_models) and the
non-negative check Django puts on every positive-integer column."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from tests import factories as f
from tests.billingcfg.test_models import BREACHES as BILLINGCFG_BREACHES
from tests.plans.test_models import BREACHES as PLANS_BREACHES
from tests.rates.test_models import BREACHES as RATES_BREACHES

POSITIVE_INTEGER_FIELDS = (
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
)


def _positive_integer_columns():
    return [
        pytest.param(model, field.name, id=f"{model.__name__}.{field.name}")
        for model in f.configuration_models()
        for field in model._meta.concrete_fields
        if isinstance(field, POSITIVE_INTEGER_FIELDS)
    ]


def test_every_declared_constraint_is_broken_by_a_test():
    declared = {constraint.name for model in f.configuration_models() for constraint in model._meta.constraints}
    covered = {breach.constraint for breach in BILLINGCFG_BREACHES + PLANS_BREACHES + RATES_BREACHES}

    assert sorted(declared - covered) == [], "constraints no test breaks"
    assert sorted(covered - declared) == [], "tests for constraints no model declares"


def test_every_configuration_model_has_a_valid_row_factory():
    assert set(f.VALID_ROW) == set(f.configuration_models())


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(f.VALID_ROW), ids=lambda model: model.__name__)
def test_the_factories_build_valid_rows(model):
    """The rows every breach starts from are valid, so a refusal is the broken rule's doing."""
    row = f.VALID_ROW[model]()

    row.full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "name"), _positive_integer_columns())
def test_positive_integer_columns_refuse_negatives(model, name):
    row = f.VALID_ROW[model]()
    column = model._meta.get_field(name).column

    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{name: -1})
    assert column in str(refused.value)

    setattr(row, name, -1)
    with pytest.raises(ValidationError) as invalid:
        row.full_clean()
    assert invalid.value.message_dict == {name: ["Ensure this value is greater than or equal to 0."]}


def test_positive_integer_columns_are_found():
    """The walk over _meta sees the columns a user edits (so the test above is not empty)."""
    found = {param.id for param in _positive_integer_columns()}

    assert {"CreditPack.credits", "SubscriptionPlan.credits_per_interval", "CreditRate.minimum_charge"} <= found
