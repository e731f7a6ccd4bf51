"""Small chained factories for every configuration model, shared by the whole
suite.

Each factory saves a valid row (without full_clean, as the database sees it)
and takes keyword overrides; what it needs and is not given, it makes.
`*_unsaved` twins build the instance without saving, so a test can break one
rule and watch the database refuse it.
"""

import datetime
import itertools
from collections.abc import Callable
from decimal import Decimal

from django.apps import apps
from django.db.models import Model
from simple_history.models import HistoricalChanges

from billingcfg.models import AlertThreshold, Currency, ExchangeRate, Metric, Product, Scope, ThresholdAction
from plans.models import CreditPack, SubscriptionPlan
from rates.models import (
    AIModel,
    CreditRate,
    Meter,
    Modality,
    PriceListAlias,
    PriceListSupplier,
    Provider,
    ProviderCost,
    Variant,
    Workflow,
    WorkflowStep,
)

_serial = itertools.count(1)


def _saved(build: Callable[..., Model]) -> Callable[..., Model]:
    """The saving twin of a `*_unsaved` builder: same arguments, row stored."""

    def make(**kwargs) -> Model:
        row = build(**kwargs)
        row.save()
        return row

    return make


def _slug(prefix: str) -> str:
    return f"{prefix}-{next(_serial)}"


def _code() -> str:
    # Currency codes are capital letters or digits after a letter: X001, X002 …
    return f"X{next(_serial):03d}"


def currency(**kwargs) -> Currency:
    kwargs.setdefault("code", _code())
    kwargs.setdefault("name", f"Currency {kwargs['code']}")
    return Currency.objects.create(**kwargs)


def usd() -> Currency:
    return Currency.objects.get_or_create(code="USD", defaults={"name": "US dollar", "symbol": "$"})[0]


def twd() -> Currency:
    return Currency.objects.get_or_create(code="TWD", defaults={"name": "New Taiwan dollar", "minor_units": 0})[0]


def exchange_rate_unsaved(**kwargs) -> ExchangeRate:
    if "from_currency" not in kwargs:
        kwargs["from_currency"] = usd()
    if "to_currency" not in kwargs:
        kwargs["to_currency"] = twd()
    kwargs.setdefault("from_amount", Decimal("1"))
    kwargs.setdefault("to_amount", Decimal("32"))
    kwargs.setdefault("as_of", datetime.date(2025, 1, 1))
    return ExchangeRate(**kwargs)


def exchange_rate(**kwargs) -> ExchangeRate:
    rate = exchange_rate_unsaved(**kwargs)
    rate.save()
    return rate


DEFAULT_PRODUCT = "default"


def product_unsaved(**kwargs) -> Product:
    """A product of its own (not the default one) in USD at a 75 % target."""
    kwargs.setdefault("slug", _slug("product"))
    kwargs.setdefault("name", kwargs["slug"].title())
    if "reporting_currency" not in kwargs:
        kwargs["reporting_currency"] = usd()
    kwargs.setdefault("target_gross_margin", Decimal("0.75"))
    return Product(**kwargs)


product = _saved(product_unsaved)


def default_product() -> Product:
    """The default product (the demo's video app when the demo is loaded, else one made with slug
    `default`, USD, 75 %): what rows made without a product belong to."""
    found = Product.objects.filter(is_default=True).first()
    return found or product(slug=DEFAULT_PRODUCT, name="Default product", is_default=True)


def policy(**kwargs) -> Product:
    """The default product with `kwargs` set: its currency, target and revenue basis."""
    found = default_product()
    for name, value in kwargs.items():
        setattr(found, name, value)
    found.save()
    return found


def _owned(kwargs: dict) -> None:
    """A row made without a product belongs to the default one."""
    if "product" not in kwargs:
        kwargs["product"] = default_product()


def provider(**kwargs) -> Provider:
    kwargs.setdefault("slug", _slug("provider"))
    kwargs.setdefault("name", kwargs["slug"].title())
    return Provider.objects.create(**kwargs)


def meter(**kwargs) -> Meter:
    kwargs.setdefault("slug", _slug("seconds"))
    kwargs.setdefault("name", "Seconds")
    kwargs.setdefault("unit", "second")
    return Meter.objects.create(**kwargs)


def ai_model(*, default_variant: bool = True, **kwargs) -> AIModel:
    """A model with its default variant (slug `default`), as every model has one."""
    kwargs.setdefault("slug", _slug("model"))
    kwargs.setdefault("name", kwargs["slug"].title())
    if "provider" not in kwargs:
        kwargs["provider"] = provider()
    kwargs.setdefault("modality", Modality.VIDEO)
    model = AIModel.objects.create(**kwargs)
    if default_variant:
        Variant.objects.create(model=model, slug="default", name="Default", is_default=True)
    return model


def variant_unsaved(**kwargs) -> Variant:
    """A default variant made without a model gets a model of its own with no other default."""
    if "model" not in kwargs:
        kwargs["model"] = ai_model(default_variant=not kwargs.get("is_default", False))
    kwargs.setdefault("slug", _slug("variant"))
    kwargs.setdefault("name", kwargs["slug"])
    return Variant(**kwargs)


variant = _saved(variant_unsaved)


def _for_default_variant(kwargs: dict) -> None:
    """Point the row at the model's default variant, unless a variant is given."""
    if "variant" not in kwargs:
        kwargs["variant"] = kwargs["model"].variants.get(is_default=True)


def provider_cost_unsaved(*, for_default_variant: bool = False, **kwargs) -> ProviderCost:
    """By default a price for all variants of the model; `for_default_variant` prices its default one."""
    if "model" not in kwargs:
        kwargs["model"] = ai_model()
    if for_default_variant:
        _for_default_variant(kwargs)
    if "meter" not in kwargs:
        kwargs["meter"] = meter()
    if "currency" not in kwargs:
        kwargs["currency"] = usd()
    if "supplier" not in kwargs:
        kwargs["supplier"] = kwargs["model"].supplier
    kwargs.setdefault("price", Decimal("0.10"))
    kwargs.setdefault("as_of", datetime.date(2025, 10, 1))
    return ProviderCost(**kwargs)


provider_cost = _saved(provider_cost_unsaved)


def credit_rate_unsaved(*, for_default_variant: bool = False, **kwargs) -> CreditRate:
    """By default a rate for all variants of the model; `for_default_variant` rates its default one."""
    if "model" not in kwargs:
        kwargs["model"] = ai_model()
    if for_default_variant:
        _for_default_variant(kwargs)
    if "meter" not in kwargs:
        kwargs["meter"] = meter()
    _owned(kwargs)
    kwargs.setdefault("credits", Decimal("10"))
    return CreditRate(**kwargs)


credit_rate = _saved(credit_rate_unsaved)


def workflow_unsaved(**kwargs) -> Workflow:
    kwargs.setdefault("slug", _slug("workflow"))
    kwargs.setdefault("name", kwargs["slug"].title())
    kwargs.setdefault("unit_label", "session hour")
    kwargs.setdefault("credits_per_unit", Decimal("60"))
    _owned(kwargs)
    return Workflow(**kwargs)


workflow = _saved(workflow_unsaved)


def workflow_step_unsaved(**kwargs) -> WorkflowStep:
    if "workflow" not in kwargs:
        kwargs["workflow"] = workflow()
    if "model" not in kwargs:
        kwargs["model"] = ai_model()
    if "meter" not in kwargs:
        kwargs["meter"] = meter()
    kwargs.setdefault("label", "Transcription")
    kwargs.setdefault("quantity", Decimal("3600"))
    return WorkflowStep(**kwargs)


workflow_step = _saved(workflow_step_unsaved)


def credit_pack_unsaved(**kwargs) -> CreditPack:
    kwargs.setdefault("slug", _slug("pack"))
    kwargs.setdefault("name", kwargs["slug"].title())
    kwargs.setdefault("credits", 250)
    kwargs.setdefault("price", Decimal("15"))
    if "currency" not in kwargs:
        kwargs["currency"] = usd()
    _owned(kwargs)
    return CreditPack(**kwargs)


credit_pack = _saved(credit_pack_unsaved)


def plan_unsaved(*, overage: bool = False, **kwargs) -> SubscriptionPlan:
    """With `overage`, credits beyond the included ones are sold, and the plan is costed on a usage workflow."""
    _owned(kwargs)
    if overage:
        kwargs.setdefault("overage_price_per_credit", Decimal("0.05"))
        if "usage_workflow" not in kwargs:
            kwargs["usage_workflow"] = workflow(product=kwargs["product"])
    kwargs.setdefault("slug", _slug("plan"))
    kwargs.setdefault("name", kwargs["slug"].title())
    kwargs.setdefault("credits_per_interval", 400)
    kwargs.setdefault("price", Decimal("19"))
    if "currency" not in kwargs:
        kwargs["currency"] = usd()
    return SubscriptionPlan(**kwargs)


plan = _saved(plan_unsaved)


def threshold_unsaved(**kwargs) -> AlertThreshold:
    """By default a system-wide monthly budget in USD."""
    kwargs.setdefault("slug", _slug("threshold"))
    kwargs.setdefault("name", kwargs["slug"].title())
    kwargs.setdefault("scope", Scope.SYSTEM)
    kwargs.setdefault("metric", Metric.MONEY)
    if kwargs["metric"] == Metric.MONEY and "currency" not in kwargs:
        kwargs["currency"] = usd()
    kwargs.setdefault("window", "month")
    kwargs.setdefault("limit", Decimal("1000"))
    _owned(kwargs)
    return AlertThreshold(**kwargs)


threshold = _saved(threshold_unsaved)


def threshold_action_unsaved(**kwargs) -> ThresholdAction:
    if "threshold" not in kwargs:
        kwargs["threshold"] = threshold()
    kwargs.setdefault("action", "email")
    return ThresholdAction(**kwargs)


threshold_action = _saved(threshold_action_unsaved)


def price_list_alias(**kwargs) -> PriceListAlias:
    """A LiteLLM entry name for a model (all its variants unless one is given)."""
    if "model" not in kwargs:
        kwargs["model"] = ai_model()
    kwargs.setdefault("name", f"litellm/{_slug('model')}")
    return PriceListAlias.objects.create(**kwargs)


def price_list_supplier(**kwargs) -> PriceListSupplier:
    """A price list's provider name for a supplier."""
    if "supplier" not in kwargs:
        kwargs["supplier"] = provider()
    kwargs.setdefault("pattern", _slug("litellm-provider"))
    return PriceListSupplier.objects.create(**kwargs)


# A valid saved row of every configuration model: the tests that walk every
# model through _meta (decimal round trips, positive-integer columns) build
# rows with these, and fail for a model that has none.
VALID_ROW = {
    Currency: currency,
    ExchangeRate: exchange_rate,
    Product: product,
    AlertThreshold: threshold,
    ThresholdAction: threshold_action,
    CreditPack: credit_pack,
    SubscriptionPlan: plan,
    Provider: provider,
    Meter: meter,
    AIModel: ai_model,
    Variant: variant,
    ProviderCost: provider_cost,
    CreditRate: credit_rate,
    Workflow: workflow,
    WorkflowStep: workflow_step,
    PriceListAlias: price_list_alias,
    PriceListSupplier: price_list_supplier,
}


CONFIGURATION_APPS = ("billingcfg", "plans", "rates")


def configuration_models() -> list:
    """Every model of the draft configuration: not simple_history's shadow tables,
    not the releases published from it (nor their withdrawals), not API keys."""
    from billingcfg.release_models import ApiKey, Release, ReleaseProduct, ReleaseWithdrawal

    return [
        model
        for label in CONFIGURATION_APPS
        for model in apps.get_app_config(label).get_models()
        if not issubclass(model, HistoricalChanges)
        and model not in (Release, ReleaseProduct, ReleaseWithdrawal, ApiKey)
    ]


def staff_in(role: str):
    """A staff user in one of the roles (billingcfg.core.roles): viewer, editor or publisher."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(role, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user
