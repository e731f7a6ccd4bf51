"""The expected cost of one unit of a workflow: Σ probability × multiplier ×
step cost, converted to one currency; an error names the step."""

from datetime import date
from decimal import Decimal

import pytest

from pricing.catalogue import Cost, FxRate, Model, Step, Variant, Workflow
from pricing.errors import MissingCost, MissingExchangeRate, PricingError
from pricing.fx import Converter
from pricing.money import Band
from pricing.workflow_cost import workflow_cost
from tests.demo_catalogue import demo_catalogue, demo_product

M = 1_000_000


def demo_cost(slug, currency):
    """A seed's workflow on its own product's catalogue: the models it uses, the suppliers it buys from."""
    catalogue = demo_product(demo_catalogue().workflows[slug].product)
    return workflow_cost(catalogue.workflows[slug], catalogue.models, Converter(catalogue.fx_rates), currency)


def text_model(slug, currency, input_price, output_price=None):
    costs = [Cost("input_tokens", Decimal(input_price), currency, per_units=M)]
    if output_price is not None:
        costs.append(Cost("output_tokens", Decimal(output_price), currency, per_units=M))
    return Model(
        slug=slug,
        name=slug,
        provider="p",
        modality="text",
        variants=(Variant("default", "Default", is_default=True),),
        costs=tuple(costs),
    )


MODELS = {
    "usd-chat": text_model("usd-chat", "USD", "3", "15"),
    "cny-chat": text_model("cny-chat", "CNY", "7.1"),  # input only
}
USD_CNY = Converter([FxRate("USD", "CNY", Decimal("1"), Decimal("7.1"), date(2026, 1, 25))])


def workflow(*steps):
    return Workflow(slug="draft", name="Draft", unit_label="draft", steps=steps)


def step(label, model, meter, quantity, **options):
    return Step(
        label=label,
        model=model,
        meter=meter,
        quantity=Decimal(quantity),
        **{name: Decimal(value) for name, value in options.items()},
    )


# ---- The seeds' workflows ----------------------------------------------------------------


def test_seed_001_prd_at_its_revision_factor():
    """1,000 in / 4,000 out on Claude 3.5 Sonnet ($0.063), times 1.5 revisions."""
    cost = demo_cost("prd", "USD")

    assert cost.expected == Band.exact(Decimal("0.0945"))
    assert [(item.runs, item.per_run.low, item.expected.low) for item in cost.steps] == [
        (Decimal("1.5"), Decimal("0.003"), Decimal("0.0045")),
        (Decimal("1.5"), Decimal("0.06"), Decimal("0.09")),
    ]


@pytest.mark.parametrize(
    ("slug", "currency", "low", "high"),
    [
        ("prd", "USD", "0.0945", "0.0945"),
        ("ux", "USD", "0.11505", "0.11505"),  # (4,500 × 3 + 5,000 × 15) / 1M × 1.3
        ("deploy", "USD", "0.0259050", "0.0259050"),  # (350 × 3 + 1,500 × 15) / 1M × 1.1
        ("project", "USD", "0.2354550", "0.2354550"),  # the three together
        ("coaching-session-hour", "USD", "0.58665", "0.58665"),  # seed 002: speech, calls, report, infra
        ("coaching-session-hour", "TWD", "18.7728", "18.7728"),  # at 32 TWD a dollar
        ("prompt-production", "CNY", "0.001004", "0.002008"),  # seed 000's bands
    ],
)
def test_seed_workflow_costs(slug, currency, low, high):
    cost = demo_cost(slug, currency)

    assert cost.currency == currency
    assert cost.expected == Band(Decimal(low), Decimal(high))


def test_seed_000_steps_weighted_by_probability():
    """Step B runs on 20% of prompts, step C on 3%."""
    cost = demo_cost("prompt-production", "CNY")

    assert [item.runs for item in cost.steps] == [Decimal(runs) for runs in ("1", "1", "0.2", "0.2", "0.03", "0.03")]
    assert [item.expected for item in cost.steps[2:4]] == [
        Band(Decimal("0.00002"), Decimal("0.00004")),  # 400 × ¥0.25–0.5 per 1M × 0.2
        Band(Decimal("0.00024"), Decimal("0.00048")),  # 800 × ¥1.5–3 per 1M × 0.2
    ]
    assert cost.expected.mid == Decimal("0.001506")


def test_seed_002_speech_to_text_step_uses_its_variant():
    cost = demo_cost("coaching-session-hour", "USD")

    first = cost.steps[0]
    assert (first.step.label, first.variant, first.per_run.low, first.provider_currency) == (
        "Speech to text",
        "standard",
        Decimal("0.40"),
        "USD",
    )


# ---- Probability × multiplier, currencies ---------------------------------------------------


@pytest.mark.parametrize(
    ("probability", "multiplier", "runs", "expected"),
    [
        ("1", "1", "1", "0.015"),
        ("0.5", "1", "0.5", "0.0075"),
        ("1", "3", "3", "0.045"),
        ("0.2", "1200", "240", "3.6"),
        ("0", "5", "0", "0"),
    ],
)
def test_each_step_costs_probability_times_multiplier_times_its_cost(probability, multiplier, runs, expected):
    flow = workflow(step("Answer", "usd-chat", "output_tokens", "1000", probability=probability, multiplier=multiplier))

    cost = workflow_cost(flow, MODELS, USD_CNY, "USD")

    assert cost.steps[0].runs == Decimal(runs)
    assert cost.steps[0].per_run == Band.exact(Decimal("0.015"))
    assert cost.expected == Band.exact(Decimal(expected))


@pytest.mark.parametrize(("currency", "expected"), [("USD", "0.115"), ("CNY", "0.8165")])
def test_steps_in_several_currencies_are_converted_to_one(currency, expected):
    flow = workflow(
        step("Answer", "usd-chat", "output_tokens", "1000"),  # $0.015
        step("Translate", "cny-chat", "input_tokens", "100000"),  # ¥0.71 = $0.10
    )

    cost = workflow_cost(flow, MODELS, USD_CNY, currency)

    assert [item.provider_currency for item in cost.steps] == ["USD", "CNY"]
    assert cost.steps[1].per_run == Band.exact(Decimal("0.71"))
    assert cost.expected == Band.exact(Decimal(expected))


def test_an_empty_workflow_costs_nothing():
    assert workflow_cost(workflow(), MODELS, USD_CNY, "USD").expected == Band.exact(Decimal("0"))


# ---- Errors name the workflow and the step ----------------------------------------------------


def test_a_step_whose_model_has_no_cost_for_its_meter_names_the_step():
    flow = workflow(
        step("Answer", "usd-chat", "output_tokens", "1000"), step("Translate", "cny-chat", "output_tokens", "1000")
    )

    with pytest.raises(PricingError) as raised:
        workflow_cost(flow, MODELS, USD_CNY, "USD")

    assert str(raised.value) == (
        "workflow 'draft', step 2 (Translate): cny-chat / default / output_tokens: "
        "no provider cost from p for this meter (p's costed meters: input_tokens)"
    )
    assert isinstance(raised.value.__cause__, MissingCost)


def test_a_step_on_an_unknown_model_names_the_step():
    with pytest.raises(PricingError, match=r"^workflow 'draft', step 1 \(Answer\): no model 'ghost'$"):
        workflow_cost(workflow(step("Answer", "ghost", "input_tokens", "1")), MODELS, USD_CNY, "USD")


def test_a_step_on_an_unknown_variant_names_the_step_and_the_variants():
    flow = workflow(
        Step(label="Answer", model="usd-chat", meter="input_tokens", quantity=Decimal("1"), variant="turbo")
    )

    with pytest.raises(PricingError) as raised:
        workflow_cost(flow, MODELS, USD_CNY, "USD")

    assert str(raised.value) == (
        "workflow 'draft', step 1 (Answer): model 'usd-chat' has no variant 'turbo'; its variants are: default"
    )


def test_a_step_without_an_exchange_rate_names_the_step_and_the_pair():
    flow = workflow(
        step("Answer", "usd-chat", "output_tokens", "1000"), step("Translate", "cny-chat", "input_tokens", "1000")
    )

    with pytest.raises(PricingError) as raised:
        workflow_cost(flow, MODELS, USD_CNY, "EUR")

    assert str(raised.value) == "workflow 'draft', step 1 (Answer): no exchange rate from USD to EUR"
    assert isinstance(raised.value.__cause__, MissingExchangeRate)


def test_a_negative_step_quantity_names_the_step():
    with pytest.raises(PricingError, match=r"^workflow 'draft', step 1 \(Answer\): usd-chat: a quantity of"):
        workflow_cost(workflow(step("Answer", "usd-chat", "input_tokens", "-1")), MODELS, USD_CNY, "USD")
