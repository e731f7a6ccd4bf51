"""Benchmark: importing a generated provider-cost sheet of 20,000 rows through
the project's import path, against django-import-export's default row-by-row
path on the same file, in the same run.

    make bench-import      # or: .venv/bin/python bench/imports.py [--rows N]

Both paths import the same parsed sheet into the same database state, with
model validation (`clean_model_instances`) and a history row per written row;
each run is rolled back afterwards, so every run starts equal. Two cases: every
row new, then every row present with one in ten prices changed. Each path runs
in a fresh process: wall time of the import, queries, and the growth of the
process's peak memory during it; then the speed-up of the project's path.

Runs on a throwaway SQLite database, or on DATABASE_URL if it names a scratch
database (it is flushed).
"""

import argparse
import csv
import gc
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PER_MODEL = 5


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "billingcfg.settings_test")
    if "DATABASE_URL" not in os.environ:
        folder = tempfile.mkdtemp(prefix="bench-import-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("flush", verbosity=0, interactive=False)


def generate(rows: int) -> None:
    """The demo, plus rows / 5 models of 5 variants each (no costs yet)."""
    from billingcfg.demo.load import demo_load
    from rates.models import AIModel, Provider, Variant

    demo_load()
    provider = Provider.objects.create(slug="bench", name="Bench provider")
    models = AIModel.objects.bulk_create(
        AIModel(slug=f"bench-{n}", name=f"Bench {n}", provider=provider, modality="video")
        for n in range(rows // PER_MODEL)
    )
    Variant.objects.bulk_create(
        Variant(model=model, slug=f"v{k}", name=f"V{k}", is_default=k == 0, sort_order=k)
        for model in models
        for k in range(PER_MODEL)
    )


HEADERS = [
    "model",
    "variant",
    "meter",
    "supplier",
    "tier_threshold",
    "price",
    "price_high",
    "per_units",
    "tier_mode",
    "tier_meter",
    "currency",
    "source_url",
    "as_of",
    "negotiated",
    "notes",
]


def sheet(rows: int, *, changed_every: int = 0) -> bytes:
    """A provider-cost CSV: one per-second price per bench variant; with
    `changed_every`, every n-th price is 1 cent higher."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for index in range(rows):
        price = Decimal(index % 97 + 1) / 100
        if changed_every and index % changed_every == 0:
            price += Decimal("0.01")
        writer.writerow(
            [
                f"bench-{index // PER_MODEL}",
                f"v{index % PER_MODEL}",
                "seconds",
                "bench",
                "",
                format(price, "f"),
                format(price * 2, "f") if index % 7 == 0 else "",
                1,
                "",
                "",
                "USD",
                "https://example.com/prices",
                "2026-01-01",
                "FALSE",
                "",
            ]
        )
    return out.getvalue().encode()


def default_resource():
    """The same columns through django-import-export's stock widgets and its
    default row-by-row path: an instance query per row, a foreign-key query per
    key per row, full model validation with its uniqueness and constraint
    queries, a savepoint, save() and a history row per row, an HTML diff."""
    from import_export import fields, resources, widgets

    from billingcfg.models import Currency
    from rates.models import AIModel, Meter, Provider, ProviderCost, Variant

    class VariantOfRowModel(widgets.ForeignKeyWidget):
        def get_queryset(self, value, row, *args, **kwargs):
            return self.model.objects.filter(model__slug=row["model"])

    def fk(name, model, field="slug", widget=widgets.ForeignKeyWidget):
        return fields.Field(attribute=name, column_name=name, widget=widget(model, field))

    class DefaultProviderCostResource(resources.ModelResource):
        model = fk("model", AIModel)
        variant = fk("variant", Variant, widget=VariantOfRowModel)
        meter = fk("meter", Meter)
        supplier = fk("supplier", Provider)
        tier_meter = fk("tier_meter", Meter)
        currency = fk("currency", Currency, field="code")

        class Meta:
            model = ProviderCost
            fields = HEADERS
            import_id_fields = ["model", "variant", "meter", "supplier", "tier_threshold"]
            clean_model_instances = True
            skip_unchanged = True
            report_skipped = True

    return DefaultProviderCostResource()


def project_resource():
    from billingcfg.sheets.resources import RESOURCES

    return RESOURCES["provider_costs"]()


def _import(path: str, dataset, user) -> dict:
    """One import in a transaction that is then rolled back, timed, with its queries counted."""
    from django.db import connection, transaction

    from rates.models import ProviderCost

    make_resource = default_resource if path == "default" else project_resource
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with transaction.atomic():
        before = ProviderCost.history.count()
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            result = make_resource().import_data(
                dataset, dry_run=False, use_transactions=True, user=user, file_name="bench.csv"
            )
            seconds = time.perf_counter() - started
        written = ProviderCost.history.count() - before
        transaction.set_rollback(True)
    if result.has_errors() or result.has_validation_errors():
        first = result.invalid_rows[0].error_dict if result.invalid_rows else result.base_errors[0].error
        raise SystemExit(f"the import failed: {first}")
    return {"seconds": seconds, "queries": queries, "totals": dict(result.totals), "history": written}


def child(path: str, sheet_file: str) -> None:
    """Run one path once in this fresh process; print its figures as JSON. Peak
    memory is how far the process's peak resident size rose above its size before the import."""
    import django
    import tablib

    django.setup()
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="bench")
    dataset = tablib.Dataset().load(Path(sheet_file).read_text(), format="csv")
    gc.collect()
    baseline = _resident_kb()
    figures = _import(path, dataset, user)
    figures["peak_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline) / 1024
    print(json.dumps(figures))


def _resident_kb() -> int:
    """The process's resident memory now (Linux), in KB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_child(path: str, sheet_file: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", path, "--sheet", str(sheet_file)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--child", choices=["default", "project"], help=argparse.SUPPRESS)
    parser.add_argument("--sheet", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.sheet)
    _setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from rates.models import ProviderCost

    generate(args.rows)
    user = get_user_model().objects.create_user("bench", password=None)
    folder = Path(tempfile.mkdtemp(prefix="bench-import-sheets-"))
    new_sheet, changed_sheet = folder / "new.csv", folder / "changed.csv"
    new_sheet.write_bytes(sheet(args.rows))
    changed_sheet.write_bytes(sheet(args.rows, changed_every=10))
    print(
        f"{args.rows:,} provider-cost rows, {connection.vendor}; each path once, in a fresh process, rolled back after"
    )
    print()
    print("| case | path | seconds | rows/s | queries | peak MB | speed-up |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for label, sheet_file in (("all new", new_sheet), ("1 in 10 changed", changed_sheet)):
        if sheet_file is changed_sheet:  # the rows exist: both paths then update one in ten
            _commit(new_sheet.read_bytes(), user)
        default = run_child("default", sheet_file)
        project = run_child("project", sheet_file)
        if default["totals"] != project["totals"] or default["history"] != project["history"]:
            raise SystemExit(f"the two paths disagree: {default} vs {project}")
        for name, figures in (("django-import-export default", default), ("project", project)):
            speed_up = default["seconds"] / figures["seconds"]
            print(
                f"| {label} | {name} | {figures['seconds']:.2f} | {args.rows / figures['seconds']:,.0f} | "
                f"{figures['queries']:,} | {figures['peak_mb']:.0f} | {speed_up:.1f}× |",
                flush=True,
            )
        print(f"|  |  | rows: {project['totals']} | history rows written: {project['history']:,} |  |  |  |")
    print()
    print(f"Provider costs stored after the runs: {ProviderCost.objects.count():,}.")


def _commit(data: bytes, user) -> None:
    import tablib

    project_resource().import_data(
        tablib.Dataset().load(data.decode(), format="csv"), dry_run=False, user=user, file_name="bench.csv"
    )


if __name__ == "__main__":
    main()
