"""The three roles ops staff are given, as Django groups: what each may do to
the draft and to releases. Used by the migration that creates the groups and
by the tests that check them."""

CONFIG_MODELS = {
    "billingcfg": ("currency", "exchangerate", "product", "alertthreshold", "thresholdaction"),
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
        "pricelistsupplier",
    ),
}

VIEWER = "viewer"
EDITOR = "editor"
PUBLISHER = "publisher"


def _config(actions) -> list[tuple[str, str]]:
    return [
        (app, f"{action}_{model}") for app, models in CONFIG_MODELS.items() for model in models for action in actions
    ]


_RELEASES = [("billingcfg", "view_release"), ("billingcfg", "view_releaseproduct")]

ROLE_PERMISSIONS = {
    VIEWER: _config(("view",)) + _RELEASES,
    EDITOR: _config(("view", "add", "change", "delete")) + _RELEASES,
    PUBLISHER: _config(("view", "add", "change", "delete")) + _RELEASES + [("billingcfg", "publish_release")],
}
