"""A database from before products migrates to products losing nothing.

The rows are the old code's own (tests/data/premigration/make.py: the demo, its
releases v1 and v2, an API key, an editor, a few edits after v2 that left
history). The test migrates the test database back to the state they were made
at, puts them in through that state's models (its content types, permissions
and groups replacing the test database's), migrates forward with `migrate` as a
deploy does, and reads the result as an operator and a backend would: one
default product with the old policy's figures, everything sold and every
history entry of it in that product, every cost bought from its model's
provider, the editor still editing the policy (now the product), every release
still served byte for byte (same ETag) and still diffed as the old code did."""

import gzip
import hashlib
import json
from collections import Counter, defaultdict
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from django.apps import apps as current_apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

DATA = Path(__file__).resolve().parents[1] / "data" / "premigration" / "before_products.json.gz"
# Renamed by billingcfg 0008: the policy is the first product.
RENAMED = {
    "billingcfg.pricingpolicy": "billingcfg.product",
    "billingcfg.historicalpricingpolicy": "billingcfg.historicalproduct",
}
# The only old columns that are gone: the policy's singleton flag.
DROPPED = {("billingcfg.product", "singleton"), ("billingcfg.historicalproduct", "singleton")}
# What a product owns (billingcfg 0010).
OWNED = (
    "plans.creditpack",
    "plans.subscriptionplan",
    "rates.creditrate",
    "rates.workflow",
    "billingcfg.alertthreshold",
)


@cache
def before() -> dict:
    return json.loads(gzip.decompress(DATA.read_bytes()))


def rows_of(label: str) -> list[dict]:
    return [item for item in before()["objects"] if item["model"] == label]


# Made by migrations and the migrate command in any database: the old database's replace them.
REPLACED = ("contenttypes.contenttype", "auth.permission", "auth.group")


def migrate(*target: str) -> MigrationExecutor:
    """`manage.py migrate [app migration]`: with its signals, which rename a renamed
    model's content type and permissions, as a deploy does."""
    ContentType.objects.clear_cache()
    call_command("migrate", *target, verbosity=0, interactive=False)
    ContentType.objects.clear_cache()
    return MigrationExecutor(connection)


def insert_old_rows(apps) -> None:
    """The data file's rows through the models of the state they were made at, ids
    and timestamps as they were; then the sequences past them (PostgreSQL)."""
    rows, related = defaultdict(list), []
    for item in before()["objects"]:
        model = apps.get_model(item["model"])
        values = {model._meta.pk.attname: item["pk"]}
        for name, value in item["fields"].items():
            field = model._meta.get_field(name)
            if field.many_to_many:
                related.append((model, item["pk"], name, value))
            else:
                values[field.attname] = value if field.is_relation else field.to_python(value)
        rows[model].append(model(**values))
    for model in rows:
        for field in model._meta.concrete_fields:  # keep the old created_at, not the time of the test
            if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
                field.auto_now = field.auto_now_add = False
    with transaction.atomic():
        for label in REPLACED:
            apps.get_model(label).objects.all().delete()
        for model in rows:
            assert not model.objects.exists(), f"{model._meta.label} is not empty before the old rows go in"
        for model, objects in rows.items():
            model.objects.bulk_create(objects)
        for model, pk, name, value in related:
            getattr(model.objects.get(pk=pk), name).set(value)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), list(rows)):
                cursor.execute(statement)


def lost_values() -> list[str]:
    """Every old row is still there, under its id, with every old value (content types
    and permissions but their renaming, which the roles' check reads)."""
    lost, gone_columns = [], set()
    for item in before()["objects"]:
        if item["model"] in REPLACED[:2]:
            continue
        label = RENAMED.get(item["model"], item["model"])
        model = current_apps.get_model(label)
        row = model.objects.filter(pk=item["pk"]).values().first()
        if row is None:
            lost.append(f"{label} {item['pk']}: gone")
            continue
        for name, value in item["fields"].items():
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                gone_columns.add((label, name))
                continue
            if field.many_to_many:
                now = sorted(getattr(model.objects.get(pk=item["pk"]), name).values_list("pk", flat=True))
                # Nothing lost: a role may gain permissions (0012: price-list suppliers), never lose one.
                if not set(value) <= set(now):
                    lost.append(f"{label} {item['pk']} {name}: {value} → {now}")
            elif (was := value if field.is_relation else field.to_python(value)) != row[field.attname]:
                lost.append(f"{label} {item['pk']} {name}: {was!r} → {row[field.attname]!r}")
    assert gone_columns == DROPPED, f"old columns gone: {sorted(gone_columns)}"
    return lost


def history_per_table() -> tuple[Counter, Counter]:
    """(rows in the data file, rows now) per historical table."""
    was = Counter(RENAMED.get(item["model"], item["model"]) for item in before()["objects"])
    was = Counter({label: count for label, count in was.items() if ".historical" in label})
    return was, Counter({label: current_apps.get_model(label).objects.count() for label in was})


def what_changed(change: dict) -> tuple:
    """A change of a diff as a reader sees it, whatever its key's wording: today's
    diff names the product of a rate (none in an old document), the old one did not."""
    ids = {name: value for name, value in change["ids"].items() if name != "product"}
    return change["kind"], change["change"], sorted(ids.items()), change["fields"]


@pytest.fixture
def old_database(transactional_db):
    """The test database at billingcfg 0007, rates 0003, plans 0002 holding the old rows,
    then migrated to today's migrations; left at today's migrations whatever happens."""
    state = list(before()["state"].items())
    try:
        executor = migrate("billingcfg", before()["state"]["billingcfg"])  # rates and plans follow it back
        assert set(state) <= executor.loader.applied_migrations.keys()
        assert not executor.migration_plan(state)
        insert_old_rows(executor.loader.project_state(state).apps)
        migrate()
        yield
    finally:
        migrate()


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_products_migrates_losing_nothing(old_database, client):
    from django.contrib.auth.models import User

    from billingcfg.models import Product
    from billingcfg.release_models import ApiKey, Release
    from billingcfg.releases.document import catalogue_from_document
    from pricing.diff import document_diff
    from rates.models import ProviderCost

    # Every old row and value is still there, and so is every history entry.
    assert lost_values() == []
    was, now = history_per_table()
    assert now == was
    assert was["rates.historicalprovidercost"] == 47  # the data file's: the demo's 45, then a model deleted

    # The old policy is the one product, `default`, with its currency, target and basis.
    (policy,) = rows_of("billingcfg.pricingpolicy")
    (currency,) = (row for row in rows_of("billingcfg.currency") if row["pk"] == policy["fields"]["reporting_currency"])
    (product,) = Product.objects.select_related("reporting_currency")
    assert (product.slug, product.is_default, product.credit_name) == ("default", True, "credits")
    assert product.reporting_currency.code == currency["fields"]["code"] == "USD"
    assert product.target_gross_margin == Decimal(policy["fields"]["target_gross_margin"]) == Decimal("0.75")
    assert product.target_gross_margin_high is None
    assert (product.revenue_basis, product.fixed_revenue_per_credit) == ("fixed", Decimal("0.05"))
    assert list(product.history.values_list("slug", "is_default")) == [("default", True)]

    # The editor still edits the policy, now the product, and everything else; nobody else gained anything.
    editor = User.objects.get(username="ed")
    assert editor.has_perms(["billingcfg.change_product", "billingcfg.view_product", "rates.change_providercost"])
    assert not editor.has_perm("billingcfg.publish_release")
    assert not ContentType.objects.filter(model__in=["pricingpolicy", "historicalpricingpolicy"]).exists()

    # Every pack, plan, credit rate, workflow and threshold, and every history entry of one, is its.
    for label in OWNED:
        model = current_apps.get_model(label)
        for rows in (model.objects, model.history.model.objects):
            assert rows.count() > 0
            assert set(rows.values_list("product", flat=True)) == {product.pk}, rows.model._meta.label

    # Every cost is bought from its model's provider, at the price list's figure (not a contract's).
    costs = ProviderCost.objects.values_list("supplier", "model__provider", "negotiated")
    assert len(costs) == len(rows_of("rates.providercost"))
    assert {(supplier == provider, negotiated) for supplier, provider, negotiated in costs} == {(True, False)}

    # Each release is the default product's document, byte for byte.
    old_releases = {row["fields"]["version"]: row["fields"] for row in rows_of("billingcfg.release")}
    releases = Release.objects.order_by("version").prefetch_related("products")
    assert [release.version for release in releases] == [1, 2]
    for release in releases:
        old = old_releases[release.version]
        (document,) = release.products.all()
        assert (document.product, document.document, document.sha256) == ("default", old["document"], old["sha256"])
        assert release.document == old["document"]
        assert hashlib.sha256(document.document.encode()).hexdigest() == old["sha256"]

    # The old key reads the default product and keeps the whole-configuration view it had (releases,
    # diffs), and a backend's cached copy of v2 is still current.
    (key,) = ApiKey.objects.all()
    assert (list(key.products.values_list("slug", flat=True)), key.all_products) == (["default"], True)
    assert (
        client.get("/api/v1/releases/1/diff/2/", **{"HTTP_AUTHORIZATION": f"Api-Key {before()['api_key']}"}).status_code
        == 200
    )
    auth = {"HTTP_AUTHORIZATION": f"Api-Key {before()['api_key']}"}
    served = client.get("/api/v1/config/", **auth)
    assert served.status_code == 200, served.content[:300]
    assert (served.content.decode(), served["ETag"]) == (old_releases[2]["document"], f'"{old_releases[2]["sha256"]}"')
    cached = client.get("/api/v1/config/", HTTP_IF_NONE_MATCH=f'"{old_releases[2]["sha256"]}"', **auth)
    assert cached.status_code == 304
    served = client.get("/api/v1/products/default/config/", **auth)
    assert (served.status_code, served.content.decode()) == (200, old_releases[2]["document"])

    # Today's code reads the old documents and diffs them as the old code did.
    v1, v2 = (json.loads(old_releases[version]["document"]) for version in (1, 2))
    for document in (v1, v2):
        whole = catalogue_from_document(document)
        assert set(whole.models) == {model["slug"] for model in document["models"]}
        catalogue = whole.for_product("default")
        assert (catalogue.product.reporting_currency, catalogue.product.target_gross_margin) == ("USD", Decimal("0.75"))
        assert (catalogue.product.revenue_basis, catalogue.product.fixed_revenue_per_credit) == (
            "fixed",
            Decimal("0.05"),
        )
        sold = {
            (model["slug"], rate["variant"], rate["meter"])
            for model in document["models"]
            for rate in model["credit_rates"]
        }
        assert {
            (slug, rate.variant, rate.meter) for slug, model in catalogue.models.items() for rate in model.rates
        } == sold
        assert len(sold) == 9
    diff, old_diff = document_diff(v1, v2), before()["old_diff_v1_v2"]
    assert diff["summary"] == old_diff["summary"] == {"added": 0, "removed": 0, "changed": 9}
    diff = json.loads(json.dumps(diff, default=str))
    assert {name: diff[name] for name in old_diff if name != "changes"} == {  # seed 003's New Pricing vs Old
        name: value for name, value in old_diff.items() if name != "changes"
    }
    assert [what_changed(change) for change in diff["changes"]] == [
        what_changed(change) for change in old_diff["changes"]
    ]

    # Every history entry of a cost names its supplier, the model's provider, a deleted model's too.
    models = current_apps.get_model("rates.historicalaimodel").objects.order_by("history_date", "history_id")
    provider_of = dict(models.values_list("id", "provider"))
    old_costs = ProviderCost.history.model.objects.values_list("history_type", "model", "supplier")
    unsupplied = [(kind, model, supplier) for kind, model, supplier in old_costs if supplier != provider_of[model]]
    assert unsupplied == [], "history entries of costs (type, model id, supplier) without their model's provider"
