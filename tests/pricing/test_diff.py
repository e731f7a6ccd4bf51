"""Comparing two configuration documents: what a publisher reads before a release
(which entities changed, which prices and margins move, which rows will lose
money). Small hand-written configurations priced by `with_margins`, without a
database; and seed 003's "New Pricing vs Old" table on the demo draft."""

import copy

import pytest

from billingcfg.releases.document import configuration_of, upgraded, with_margins
from pricing.diff import document_diff
from tests.billingcfg.test_demo_history import NEW_VS_OLD


def _configuration() -> dict:
    """One product's configuration (written as a schema-1 document, read as schema 2: the
    product `default`, costs bought from the model's provider, acme): one video model sold
    at 10 credits a second (8 s by default) that costs $0.10 a second; a credit earns $0.05,
    the target gross margin is 75%."""
    return upgraded(_schema_1_configuration())


def _schema_1_configuration() -> dict:
    return {
        "schema_version": 1,
        "reporting_currency": "USD",
        "policy": {
            "reporting_currency": "USD",
            "target_gross_margin": "0.75",
            "revenue_basis": "fixed",
            "fixed_revenue_per_credit": "0.05",
        },
        "currencies": [
            {"code": "EUR", "name": "Euro", "symbol": "€", "minor_units": 2, "is_internal": False},
            {"code": "USD", "name": "US dollar", "symbol": "$", "minor_units": 2, "is_internal": False},
        ],
        "exchange_rates": [],
        "meters": [{"slug": "seconds", "name": "Seconds", "unit": "second", "whole_units": False, "description": ""}],
        "providers": [{"slug": "acme", "name": "Acme", "website": "", "active": True, "notes": ""}],
        "credit_packs": [
            {
                "currency": "USD",
                "slug": "starter",
                "name": "Starter",
                "description": "",
                "price": "10",
                "credits": 200,
                "bonus_credits": 0,
                "active": True,
                "sort_order": 1,
            }
        ],
        "subscription_plans": [],
        "models": [
            {
                "provider": "acme",
                "slug": "clip",
                "name": "Clip",
                "modality": "video",
                "active": True,
                "description": "",
                "variants": [
                    {
                        "slug": "hd",
                        "name": "HD",
                        "is_default": True,
                        "resolution": "1080p",
                        "audio": None,
                        "mode": "",
                        "sort_order": 1,
                    }
                ],
                "provider_costs": [
                    {
                        "variant": "hd",
                        "meter": "seconds",
                        "currency": "USD",
                        "tier_meter": None,
                        "price": "0.1",
                        "price_high": None,
                        "per_units": 1,
                        "tier_threshold": None,
                        "tier_mode": "",
                        "source_url": "",
                        "as_of": "2026-01-01",
                        "notes": "",
                    }
                ],
                "credit_rates": [
                    {
                        "variant": None,
                        "meter": "seconds",
                        "credits": "10",
                        "per_units": 1,
                        "minimum_charge": 0,
                        "allowed_quantities": [],
                        "min_quantity": "1",
                        "max_quantity": "10",
                        "default_quantity": "8",
                        "active": True,
                        "notes": "",
                    }
                ],
            }
        ],
        "workflows": [],
        "alert_thresholds": [],
    }


def _diff(old_configuration: dict, new_configuration: dict) -> dict:
    return document_diff(with_margins(old_configuration), with_margins(new_configuration))


def _clip(configuration: dict) -> dict:
    return configuration["models"][0]


def test_identical_documents_differ_in_nothing():
    result = _diff(_configuration(), _configuration())

    assert result == {
        "old": {"version": "draft"},
        "new": {"version": "draft"},
        "summary": {"added": 0, "removed": 0, "changed": 0},
        "changes": [],
        "prices": [],
        "rows": [],
        "warnings": [],
    }


def test_a_credit_rate_change_lists_only_the_fields_that_changed_and_the_new_price():
    new = _configuration()
    _clip(new)["credit_rates"][0].update(credits="20", notes="doubled")

    result = _diff(_configuration(), new)

    assert result["summary"] == {"added": 0, "removed": 0, "changed": 1}
    assert result["changes"] == [
        {
            "kind": "credit_rate",
            "key": "default / clip / * / seconds",
            "ids": {"product": "default", "model": "clip", "variant": None, "meter": "seconds"},
            "change": "changed",
            "fields": {"credits": {"old": "10", "new": "20"}, "notes": {"old": "", "new": "doubled"}},
        }
    ]
    assert result["prices"] == [
        {
            "model": "clip",
            "variant": "hd",
            "usage_old": {"seconds": "8"},
            "usage_new": {"seconds": "8"},
            "credits": {"old": 80, "new": 160},
            "change": "1",
            "cost": {
                "old": {"low": "0.8", "high": "0.8", "currency": "USD"},
                "new": {"low": "0.8", "high": "0.8", "currency": "USD"},
            },
            "margin": {"lowest": {"old": "0.8", "new": "0.9"}, "basis": {"old": "0.8", "new": "0.9"}},
            "flags": {"old": [], "new": []},
        }
    ]
    assert result["rows"] == [
        {
            "model": "clip",
            "variant": "hd",
            "meter": "seconds",
            "tier": "",
            "per_units": {"old": 1, "new": 1},
            "credits": {"old": "10", "new": "20"},
            "cost": {
                "old": {"low": "0.1", "high": "0.1", "currency": "USD"},
                "new": {"low": "0.1", "high": "0.1", "currency": "USD"},
            },
            "margin": {"lowest": {"old": "0.8", "new": "0.9"}, "basis": {"old": "0.8", "new": "0.9"}},
            "flags": {"old": [], "new": []},
        }
    ]


def test_added_and_removed_entities_list_every_field():
    new = _configuration()
    del new["currencies"][0]
    new["meters"].append({"slug": "images", "name": "Images", "unit": "image", "whole_units": True, "description": ""})

    result = _diff(_configuration(), new)

    assert result["summary"] == {"added": 1, "removed": 1, "changed": 0}
    assert result["changes"] == [
        {
            "kind": "currency",
            "key": "EUR",
            "ids": {"code": "EUR"},
            "change": "removed",
            "fields": {
                "code": {"old": "EUR", "new": None},
                "name": {"old": "Euro", "new": None},
                "symbol": {"old": "€", "new": None},
                "minor_units": {"old": 2, "new": None},
                "is_internal": {"old": False, "new": None},
            },
        },
        {
            "kind": "meter",
            "key": "images",
            "ids": {"slug": "images"},
            "change": "added",
            "fields": {
                "slug": {"old": None, "new": "images"},
                "name": {"old": None, "new": "Images"},
                "unit": {"old": None, "new": "image"},
                "whole_units": {"old": None, "new": True},
                "description": {"old": None, "new": ""},
            },
        },
    ]
    assert result["prices"] == []
    assert result["rows"] == []


def test_a_new_variant_is_added_with_its_own_price_line():
    new = _configuration()
    _clip(new)["variants"].append(
        {
            "slug": "sd",
            "name": "SD",
            "is_default": False,
            "resolution": "480p",
            "audio": None,
            "mode": "",
            "sort_order": 2,
        }
    )
    _clip(new)["provider_costs"].append({**_clip(new)["provider_costs"][0], "variant": "sd", "price": "0.05"})

    result = _diff(_configuration(), new)

    assert [(c["kind"], c["key"], c["change"]) for c in result["changes"]] == [
        ("variant", "clip / sd", "added"),
        ("provider_cost", "clip / sd / seconds / acme", "added"),
    ]
    assert result["changes"][0]["fields"]["name"] == {"old": None, "new": "SD"}
    (price,) = result["prices"]
    assert (price["model"], price["variant"], price["usage_old"], price["usage_new"]) == (
        "clip",
        "sd",
        None,
        {"seconds": "8"},
    )
    assert price["credits"] == {"old": None, "new": 80}
    assert price["change"] is None
    assert price["margin"]["basis"] == {"old": None, "new": "0.9"}


def test_computed_figures_never_show_as_changed_fields():
    new = _configuration()
    new["credit_packs"][0]["price"] = "20"  # a credit now earns $0.10: every margin and price per credit moves

    result = _diff(_configuration(), new)

    assert result["changes"] == [
        {
            "kind": "credit_pack",
            "key": "starter",
            "ids": {"slug": "starter"},
            "change": "changed",
            "fields": {"price": {"old": "10", "new": "20"}},
        }
    ]


def test_a_provider_cost_rise_shows_in_margins_and_warns_of_the_loss():
    new = _configuration()
    _clip(new)["provider_costs"][0]["price"] = "0.6"  # above the $0.50 ten credits earn

    result = _diff(_configuration(), new)

    assert [(c["kind"], c["key"], c["fields"]) for c in result["changes"]] == [
        ("provider_cost", "clip / hd / seconds / acme", {"price": {"old": "0.1", "new": "0.6"}}),
    ]
    (price,) = result["prices"]
    assert price["credits"] == {"old": 80, "new": 80}
    assert price["change"] == "0"
    assert price["cost"] == {
        "old": {"low": "0.8", "high": "0.8", "currency": "USD"},
        "new": {"low": "4.8", "high": "4.8", "currency": "USD"},
    }
    assert price["margin"]["basis"] == {"old": "0.8", "new": "-0.2"}
    assert price["flags"] == {"old": [], "new": ["loss", "below_target"]}
    (row,) = result["rows"]
    assert row["credits"] == {"old": "10", "new": "10"}
    assert row["flags"] == {"old": [], "new": ["loss", "below_target"]}
    assert result["warnings"] == [
        {
            "model": "clip",
            "variant": "hd",
            "meter": "seconds",
            "tier": "",
            "flags": ["loss", "below_target"],
            "margin_basis": "-0.2",
        }
    ]


def test_warnings_name_every_row_of_the_new_document_below_target_even_unchanged():
    configuration = _configuration()
    _clip(configuration)["provider_costs"][0]["price"] = "0.2"  # 60% gross margin, under the 75% target

    result = _diff(configuration, configuration)

    assert result["changes"] == []
    assert result["warnings"] == [
        {
            "model": "clip",
            "variant": "hd",
            "meter": "seconds",
            "tier": "",
            "flags": ["below_target"],
            "margin_basis": "0.6",
        }
    ]


def test_changes_come_in_kind_order_then_key_order_whatever_the_document_order():
    old = _configuration()
    old["workflows"] = [
        {
            "slug": "render",
            "name": "Render",
            "unit_label": "render",
            "credits_per_unit": "100",
            "active": True,
            "description": "",
            "product": "default",
            "steps": [
                {
                    "model": "clip",
                    "variant": "hd",
                    "meter": "seconds",
                    "position": position,
                    "label": f"Step {position}",
                    "quantity": "8",
                    "probability": "1",
                    "multiplier": "1",
                    "notes": "",
                    "supplier": None,
                }
                for position in (2, 10)
            ],
        }
    ]
    old["alert_thresholds"] = [
        {
            "provider": None,
            "model": None,
            "plan": None,
            "currency": "USD",
            "meter": None,
            "slug": "budget",
            "name": "Budget",
            "description": "",
            "scope": "system",
            "tier": "",
            "metric": "money",
            "window": "month",
            "limit": "100",
            "active": True,
            "sort_order": 1,
            "product": "default",
            "actions": [{"switch_to_model": None, "position": 1, "action": "email"}],
        }
    ]
    new = copy.deepcopy(old)
    new["alert_thresholds"][0]["actions"].append({"switch_to_model": None, "position": 2, "action": "block"})
    for step in new["workflows"][0]["steps"]:
        step["quantity"] = "9"
    new["workflows"][0]["steps"].reverse()
    _clip(new)["credit_rates"][0]["credits"] = "12"
    new["product"] = {**new["product"], "target_gross_margin": "0.7"}
    new["currencies"].reverse()
    new["currencies"][0]["name"] = "United States dollar"
    new["currencies"][1]["name"] = "Euro (EUR)"

    result = _diff(old, new)

    assert [(c["kind"], c["key"]) for c in result["changes"]] == [
        ("product", "default"),
        ("currency", "EUR"),
        ("currency", "USD"),
        ("credit_rate", "default / clip / * / seconds"),
        ("workflow_step", "render / 2"),
        ("workflow_step", "render / 10"),
        ("alert_threshold", "budget"),
    ]
    assert result["changes"][-1]["fields"] == {
        "actions": {
            "old": [{"switch_to_model": None, "position": 1, "action": "email"}],
            "new": [
                {"switch_to_model": None, "position": 1, "action": "email"},
                {"switch_to_model": None, "position": 2, "action": "block"},
            ],
        }
    }
    assert _diff(old, new) == result


def test_two_steps_at_one_position_are_compared_one_by_one():
    steps = [
        {
            "model": "clip",
            "variant": "hd",
            "meter": "seconds",
            "position": 1,
            "label": label,
            "quantity": "8",
            "probability": "1",
            "multiplier": "1",
            "notes": "",
            "supplier": None,
        }
        for label in ("Draft", "Final")
    ]
    old = _configuration()
    old["workflows"] = [
        {
            "slug": "render",
            "name": "Render",
            "unit_label": "render",
            "credits_per_unit": "100",
            "active": True,
            "description": "",
            "product": "default",
            "steps": steps,
        }
    ]
    new = copy.deepcopy(old)
    new["workflows"][0]["steps"][1]["quantity"] = "4"

    result = _diff(old, new)

    assert [(c["key"], c["fields"]) for c in result["changes"]] == [
        ("render / 1 #2", {"quantity": {"old": "8", "new": "4"}}),
    ]


def test_a_release_header_identifies_the_document_and_is_not_a_change():
    header = {
        "version": 3,
        "note": "Per-second video",
        "published_by": "ana",
        "published_at": "2026-01-02T10:00:00Z",
        "effective_at": "2026-01-02T10:00:00Z",
    }
    release = {"release": header, **with_margins(_configuration())}

    result = document_diff(release, with_margins(_configuration()))

    assert result["old"] == header
    assert result["new"] == {"version": "draft"}
    assert result["changes"] == []


# ---- seed 003: "New Pricing vs Old" on the demo draft -------------------------------------------

# Seed 003's old flat prices: credits for a video of up to 8 s.
FLAT = {
    "sora-2": "80",
    "sora-2-pro": "80",
    "luma-ray-3": "40",
    "kling-v2-1": "35",
    "veo-3": "30",
    "minimax-hailuo-02": "15",
    "mochi-1": "30",
}
WAN_FLAT = {"480p": "5", "720p": "5"}


def _flat_rates(document: dict) -> dict:
    configuration = configuration_of(document)
    for model in configuration["models"]:
        for rate in model["credit_rates"]:
            flat = FLAT.get(model["slug"]) or (model["slug"] == "wan-2-1" and WAN_FLAT[rate["variant"]])
            if flat:
                rate.update(
                    credits=flat,
                    per_units=8,
                    allowed_quantities=["8"],
                    default_quantity="8",
                    min_quantity=None,
                    max_quantity=None,
                )
    return with_margins(configuration)


@pytest.mark.django_db
def test_seed_003_new_pricing_vs_old(demo):
    """On the video product's document (seed 003's credits), as its backend reads it."""
    from billingcfg.releases.document import draft_configuration, product_document

    new = product_document(draft_configuration(), "video")
    result = document_diff(_flat_rates(new), new)

    assert result["summary"] == {"added": 0, "removed": 0, "changed": 9}
    veo = next(c for c in result["changes"] if c["key"] == "video / veo-3 / * / seconds")
    assert veo["fields"] == {
        "credits": {"old": "30", "new": "60"},
        "per_units": {"old": 8, "new": 1},
        "allowed_quantities": {"old": ["8"], "new": ["4", "6", "8"]},
    }
    table = {
        (p["model"], p["variant"]): (p["credits"]["old"], p["credits"]["new"], p["change"]) for p in result["prices"]
    }
    assert {key: table[key] for key in NEW_VS_OLD} == NEW_VS_OLD
    assert set(table) == {
        ("sora-2", "720p"),
        ("sora-2-pro", "720p"),
        ("sora-2-pro", "1080p"),
        ("luma-ray-3", "720p"),
        ("luma-ray-3", "1080p"),
        ("luma-ray-3", "4k"),
        ("kling-v2-1", "standard"),
        ("kling-v2-1", "pro"),
        ("veo-3", "audio"),
        ("veo-3", "no-audio"),
        ("minimax-hailuo-02", "768p"),
        ("minimax-hailuo-02", "1080p"),
        ("wan-2-1", "480p"),
        ("wan-2-1", "720p"),
        ("mochi-1", "default"),
    }
    veo_audio = next(p for p in result["prices"] if (p["model"], p["variant"]) == ("veo-3", "audio"))
    # "8-second Veo 3 with audio: Old 30 credits flat (you lose $4.65); API cost $6.00, Revenue $24.00"
    assert veo_audio["cost"]["new"] == {"low": "6", "high": "6", "currency": "USD"}
    assert veo_audio["margin"]["basis"] == {"old": "-3", "new": "0.75"}
    assert veo_audio["flags"] == {"old": ["loss", "below_target"], "new": []}
