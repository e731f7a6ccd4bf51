"""Loading the demo configuration (billingcfg.demo.data), four products, into the draft tables.

The demo data becomes a configuration document and goes through the one loader,
`billingcfg.releases.restore.draft_load`, without pruning. Idempotent: rows are found by
their natural keys and written only when a value differs, so a second run
changes nothing and records no history. Rows that ops staff added beside the
demo are left alone.
"""

from django.db import transaction

from billingcfg.demo import data
from billingcfg.models import Currency
from billingcfg.releases.document import SCHEMA_VERSION
from billingcfg.releases.restore import LoadResult, draft_load
from billingcfg.releases.tables import QUANTITIES, with_defaults
from plans.models import CreditPack
from rates.models import AIModel
from rates.price_list_import import price_list_aliases_load, price_list_suppliers_load

CHANGE_REASON = "Loaded demo data"


def _model_row(row: dict) -> dict:
    """A model with its variants, costs (each from its supplier: by default the model's
    provider) and credit rates (each a product's)."""
    return {
        "slug": row["slug"],
        "name": row["name"],
        "provider": row["provider"],
        "primary_supplier": row.get("primary_supplier"),
        "modality": row["modality"],
        "active": True,
        "description": row.get("description", ""),
        "variants": row["variants"],
        "provider_costs": [
            with_defaults("provider_costs", {"supplier": row["provider"], **cost}) for cost in row["costs"]
        ],
        "credit_rates": [
            with_defaults(
                "credit_rates",
                {**rate, "allowed_quantities": QUANTITIES.to_document(rate.get("allowed_quantities", ""))},
            )
            for rate in row["rates"]
        ],
    }


def demo_configuration() -> dict:
    """The demo data in the shape of `draft_configuration()`, every default written out."""
    workflows = [
        {
            "slug": row["slug"],
            "name": row["name"],
            "product": row["product"],
            "unit_label": row["unit_label"],
            "credits_per_unit": row["credits_per_unit"],
            "active": True,
            "description": row["description"],
            "steps": [{**step, "position": position} for position, step in enumerate(row["steps"], start=1)],
        }
        for row in data.WORKFLOWS
    ]
    thresholds = [
        {
            **{key: value for key, value in row.items() if key != "actions"},
            "plan": None,
            "active": True,
            "sort_order": order,
            "actions": [
                {
                    "position": position,
                    "action": action[0] if isinstance(action, tuple) else action,
                    "switch_to_model": action[1] if isinstance(action, tuple) else None,
                }
                for position, action in enumerate(row["actions"], start=1)
            ],
        }
        for order, row in enumerate(data.ALERT_THRESHOLDS, start=1)
    ]
    return {
        "schema_version": SCHEMA_VERSION,
        "currencies": data.CURRENCIES,
        "exchange_rates": data.EXCHANGE_RATES,
        "products": data.PRODUCTS,
        "meters": [{"description": "", **row} for row in data.METERS],
        "providers": [{"active": True, "notes": "", **row} for row in data.PROVIDERS],
        "credit_packs": [{"description": "", "bonus_credits": 0, "active": True, **row} for row in data.CREDIT_PACKS],
        "subscription_plans": [
            {"description": "", "overage_price_per_credit": None, "usage_workflow": None, "active": True, **row}
            for row in data.SUBSCRIPTION_PLANS
        ],
        "models": [_model_row(row) for row in data.MODELS],
        "workflows": workflows,
        "alert_thresholds": thresholds,
    }


@transaction.atomic
def demo_load() -> LoadResult:
    result = draft_load(demo_configuration(), prune=False, reason=CHANGE_REASON)
    price_list_aliases_load(data.PRICE_LIST_ALIASES, reason=CHANGE_REASON)
    price_list_suppliers_load(data.PRICE_LIST_SUPPLIERS, reason=CHANGE_REASON)
    return result


def demo_is_loadable() -> bool:
    """True when the configuration is empty, so loading the demo overwrites nobody's work."""
    return not (Currency.objects.exists() or AIModel.objects.exists() or CreditPack.objects.exists())
