"""The three roles ops staff are given, as Django groups: what each may do to
the draft and to releases. Used by the migration that creates the groups and
by the tests that check them."""

CONFIG_MODELS = {
    "billingcfg": ("currency", "exchangerate", "pricingpolicy", "alertthreshold", "thresholdaction"),
    "plans": ("creditpack", "subscriptionplan"),
    "rates": (
        "provider",
        "meter",
        "aimodel",
        "variant",
        "providercost",
        "creditrate",
        "workflow",
        "workflowstep",
        "pricelistalias",
    ),
}

VIEWER = "viewer"
EDITOR = "editor"
PUBLISHER = "publisher"


def _config(actions) -> list[tuple[str, str]]:
    return [
        (app, f"{action}_{model}") for app, models in CONFIG_MODELS.items() for model in models for action in actions
    ]


ROLE_PERMISSIONS = {
    VIEWER: _config(("view",)) + [("billingcfg", "view_release")],
    EDITOR: _config(("view", "add", "change", "delete")) + [("billingcfg", "view_release")],
    PUBLISHER: _config(("view", "add", "change", "delete"))
    + [("billingcfg", "view_release"), ("billingcfg", "publish_release")],
}
