"""One django-import-export resource per configuration table.

Columns are the configuration document's own keys (`billingcfg.releases.tables`
says which model field or foreign key each is): slugs and codes, never database
ids. A row is matched to a stored one by its natural key.

The import path keeps every rule of a row-by-row import and drops its cost:

- stored rows and every foreign-key target are read once per sheet (one query
  per table), not once per row;
- each row is validated in memory: field rules, the model's `clean()`, and its
  check constraints (`conditions.check_holds`, same three-valued logic as the
  database); keys are unique within the sheet;
- rows are written at the end in bulk, with a history record per row naming
  who imported and from which file (`bulk_*_with_history`);
- unchanged rows are found by comparing the cells, not by deep copies and HTML
  diffs, and are reported as unchanged with nothing written.

The database checks every constraint again as the rows are written; in a dry
run they are written and rolled back, so the preview is what confirming does.
"""

from collections import Counter, defaultdict

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models
from import_export import resources
from import_export.fields import Field
from import_export.instance_loaders import BaseInstanceLoader
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from billingcfg.conditions import check_holds, condition_fields
from billingcfg.core.capping import first_and_rest
from billingcfg.releases.history import change_reason
from billingcfg.releases.tables import ALIASES, QUANTITIES, SUPPLIER_NAMES, TABLE, TABLES, refused_by
from billingcfg.sheets import cells
from billingcfg.sheets.widgets import (
    BooleanWidget,
    DateWidget,
    DecimalWidget,
    IntegerWidget,
    QuantityListWidget,
    RefWidget,
    TextWidget,
    VariantWidget,
)
from billingcfg.sheets.xlsx import most_cells
from billingcfg.validators import currency_code_validator, name_validator, slug_validator
from rates.price_list import pattern_problem

BATCH = 500
PROGRESS_EVERY = 1000

# A text column names or keys a row when its model field carries one of the models' name or key
# rules; a cell there refuses formula-like text itself (the models' own rule, said of the cell as written).
KEY_VALIDATORS = (name_validator, slug_validator, currency_code_validator)


class SheetError(ValueError):
    """A sheet as a whole is unreadable (its headers): names the sheet and the rule."""


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


# A sheet of 100,000 unknown columns is refused in a line, not a page.
NAMES_SHOWN = 10


def _names(names: list[str]) -> str:
    shown, rest = first_and_rest(names, NAMES_SHOWN)
    return ", ".join(f"'{name}'" for name in shown) + (f" and {rest:,} more" if rest else "")


def _trim_empty_columns(dataset) -> None:
    """Spreadsheet programs keep columns that were emptied: trailing columns with
    neither a header nor a value are dropped, not reported as unknown."""
    headers = list(dataset.headers or ())
    width = len(headers)
    while width and _empty(headers[width - 1]) and all(_empty(value) for value in dataset.get_col(width - 1)):
        width -= 1
    if width == len(headers):
        return
    rows = [tuple(row)[:width] for row in dataset]
    dataset.wipe()
    dataset.headers = headers[:width]
    dataset.extend(rows)


class NaturalKeyLoader(BaseInstanceLoader):
    """Stored rows by natural key, read in one query when the import starts."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.rows, seen = {}, Counter()
        for instance in resource.get_queryset():
            key = resource.stored_key(instance)
            if resource.repeatable:
                seen[key] += 1
                key = (*key, seen[key] - 1)
            self.rows.setdefault(key, instance)

    def get_instance(self, row):
        return self.rows.get(self.resource.row_key(row))


class SheetResource(resources.ModelResource):
    """What every table's resource shares; `sheet_resource()` makes one per table."""

    table = None  # the `billingcfg.releases.tables` entry
    key_columns: tuple[str, ...] = ()
    # No unique key (workflow steps): the n-th row at a key is the n-th stored one, as in `restore`.
    repeatable = False

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        skip_diff = True
        use_bulk = True
        batch_size = None  # every row is written once the whole sheet has validated
        instance_loader_class = NaturalKeyLoader

    # ---- the sheet ------------------------------------------------------------------------

    @classmethod
    def sheet_name(cls) -> str:
        return cls.table.name

    def columns(self) -> list[str]:
        return [field.column_name for field in self.get_import_fields()]

    def get_queryset(self):
        related = [f.attribute for f in self.get_import_fields() if isinstance(f.widget, RefWidget)]
        model = self._meta.model
        rows = model.objects.order_by(*model._meta.ordering, "pk")
        return rows.select_related(*related) if related else rows

    def stored_key(self, instance) -> tuple:
        return tuple(self.fields[column].get_value(instance) for column in self.key_columns)

    def row_key(self, row) -> tuple:
        key, errors = [], {}
        for column in self.key_columns:
            try:
                key.append(self.fields[column].clean(row))
            except ValueError as error:
                errors[column] = str(error)
        if errors:
            raise ValidationError(errors)
        return tuple(key)

    def check_headers(self, headers) -> None:
        expected = self.columns()
        found = [("" if header is None else str(header)).strip() for header in headers or ()]
        problems = []
        twice = sorted(name for name, count in Counter(found).items() if count > 1 and name)
        if twice:
            problems.append("column " + _names(twice) + " appears twice")
        missing = [name for name in expected if name not in found]
        if missing:
            problems.append("missing column " + ", ".join(f"'{name}'" for name in missing))
        unknown = [name or f"(empty, column {number})" for number, name in enumerate(found, 1) if name not in expected]
        if unknown:
            problems.append("unknown column " + _names(unknown))
        if problems:
            raise SheetError(
                f"Sheet '{self.sheet_name()}', row 1 (headers): "
                + "; ".join(problems)
                + ". The columns are: "
                + ", ".join(expected)
                + "."
            )

    def check_size(self, rows: int) -> None:
        """The sheet's rows (headers included) within IMPORT_MAX_ROWS, as an XLSX sheet's are
        checked while it is read (`sheets.xlsx`); CSV and JSON are counted once parsed."""
        if rows > settings.IMPORT_MAX_ROWS:
            raise SheetError(
                f"Sheet '{self.sheet_name()}' has {rows:,} rows; "
                + most_cells(len(self.columns()), settings.IMPORT_MAX_ROWS)
            )

    # ---- import hooks -----------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        _trim_empty_columns(dataset)
        try:
            self.check_headers(dataset.headers)
            self.check_size(len(dataset) + 1)
        except SheetError:
            del dataset[0 : len(dataset)]  # no row is read under headers that do not fit
            raise
        dataset.headers = [str(header).strip() for header in dataset.headers]
        for field in self.fields.values():
            if isinstance(field.widget, RefWidget):
                field.widget.reset()
        self._user = kwargs.get("user")
        source = kwargs.get("file_name") or "a spreadsheet"
        self._reason = change_reason(kwargs.get("reason") or f"Imported from {source}")
        self._keys_seen: dict[tuple, int] = {}
        self._occurrences: Counter = Counter()
        self._before: dict | None = None
        self._changes: list = []
        self._progress = kwargs.get("on_progress")
        self._total = len(dataset)
        self.create_instances, self.update_instances = [], []

    def before_import_row(self, row, **kwargs):
        self._row_number = kwargs["row_number"]

    def get_instance(self, instance_loader, row):
        key = self.row_key(row)
        if self.repeatable:
            self._occurrences[key] += 1
            return instance_loader.rows.get((*key, self._occurrences[key] - 1))
        first = self._keys_seen.setdefault(key, self._row_number)
        if first != self._row_number:
            rows = f"rows {first + 1} and {self._row_number + 1}"
            if not self.key_columns:
                raise ValidationError({NON_FIELD_ERRORS: f"this sheet holds one row; {rows} both fill it"})
            where = ", ".join(f"{column} '{cells.display(row.get(column))}'" for column in self.key_columns)
            column = self.key_columns[0] if len(self.key_columns) == 1 else NON_FIELD_ERRORS
            raise ValidationError({column: f"{where}: this row appears twice in the sheet, at {rows}"})
        return instance_loader.rows.get(key)

    def after_init_instance(self, instance, new, row, **kwargs):
        self._before = None if new else self.cells_of(instance)

    def cells_of(self, instance) -> dict:
        return {field.column_name: field.export(instance) for field in self.get_import_fields()}

    def skip_row(self, instance, original, row, import_validation_errors=None):
        self._changes = []
        if import_validation_errors or self._before is None:
            return False
        after = self.cells_of(instance)
        self._changes = [
            (column, self._before[column], value) for column, value in after.items() if value != self._before[column]
        ]
        return not self._changes

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        model = self._meta.model
        resolved = [
            f.attribute
            for f in self.get_import_fields()
            if isinstance(f.widget, RefWidget) and getattr(instance, f"{f.attribute}_id") is not None
        ]
        try:
            # Foreign keys were just found by their slugs; unique keys are checked per sheet
            # and by the database; check constraints below, in memory.
            instance.full_clean(exclude=[*errors, *resolved], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if not errors:
            for constraint in model._meta.constraints:
                if not isinstance(constraint, models.CheckConstraint):
                    continue
                if not check_holds(constraint, instance):
                    # Named by the columns the rule reads: "max_quantity, default_quantity".
                    fields = condition_fields(constraint.condition)
                    where = ", ".join(f.column_name for f in self.get_import_fields() if f.attribute in fields)
                    errors.setdefault(where or NON_FIELD_ERRORS, []).append(constraint.get_violation_error_message())
            errors.update(self.extra_errors(instance))
        if errors:
            raise ValidationError(self._by_column(errors))

    def extra_errors(self, instance) -> dict:
        """Rules that span rows; a table with one overrides this."""
        return {}

    def _by_column(self, errors: dict) -> dict:
        columns = {field.attribute: field.column_name for field in self.get_import_fields()}
        named = {}
        for name, messages in errors.items():
            if isinstance(messages, ValidationError | str):
                messages = [messages]
            for message in messages:
                texts = message.messages if isinstance(message, ValidationError) else [str(message)]
                named.setdefault(columns.get(name, name), []).extend(texts)
        return named

    def after_import_row(self, row, row_result, **kwargs):
        number = kwargs["row_number"]
        row_result.changes = self._changes
        row_result.sheet_row = number + 1  # the header is row 1
        row_result.key_text = " / ".join(cells.display(row.get(column)) or "—" for column in self.key_columns)
        if self._progress and (number % PROGRESS_EVERY == 0 or number == self._total):
            self._progress(self.sheet_name(), number, self._total)

    # ---- writing ----------------------------------------------------------------------------

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Nothing yet: `bulk_update`, called next, writes in the order the table needs."""

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if dry_run:
            # A one-sheet preview: every rule was checked on each row in memory, and the
            # rows would be rolled back. (The workbook writes each sheet for the next.)
            return
        if result is not None and (result.has_errors() or result.has_validation_errors()):
            return  # all or nothing: the import is rolled back
        try:
            self.write(self.create_instances, self.update_instances)
        except IntegrityError as error:
            self.handle_import_error(
                result,
                SheetError(
                    f"Sheet '{self.sheet_name()}': the database refused the rows: {refused_by(self._meta.model, error)}"
                ),
                raise_errors,
            )
        finally:
            self.create_instances, self.update_instances = [], []

    def write(self, created: list, updated: list) -> None:
        self.write_updates(updated)
        self.write_creates(created)

    def write_creates(self, created: list) -> None:
        if created:
            bulk_create_with_history(
                created, self._meta.model, batch_size=BATCH, default_user=self._user, default_change_reason=self._reason
            )

    def write_updates(self, updated: list) -> None:
        if updated:
            names = [f.attribute for f in self.get_import_fields() if f.column_name not in self.key_columns]
            bulk_update_with_history(
                updated,
                self._meta.model,
                names,
                batch_size=BATCH,
                default_user=self._user,
                default_change_reason=self._reason,
            )

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        # All or nothing, whoever calls: one invalid row rolls the whole sheet back.
        return super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=True,
            collect_failed_rows=collect_failed_rows,
            rollback_on_validation_errors=True,
            **kwargs,
        )


class VariantResource(SheetResource):
    """A model has exactly one default variant, across the sheet and the draft."""

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        in_sheet, defaults, variants = set(), defaultdict(list), defaultdict(list)
        for row in dataset.dict:
            key = (cells.display(row.get("model")), cells.display(row.get("slug")))
            in_sheet.add(key)
            variants[key[0]].append(key[1])
            try:
                if cells.boolean_cell(row.get("is_default"), nullable=False):
                    defaults[key[0]].append(key[1])
            except ValueError:
                pass  # the row's own validation names it
        for instance in self._meta.model.objects.select_related("model"):
            key = (instance.model.slug, instance.slug)
            if key not in in_sheet:
                variants[key[0]].append(key[1])
                if instance.is_default:
                    defaults[key[0]].append(key[1])
        self._defaults, self._variants = defaults, variants

    def extra_errors(self, instance) -> dict:
        model = instance.model.slug
        slugs = self._defaults.get(model, [])
        if instance.is_default and len(slugs) > 1:
            return {
                "is_default": [
                    f"model '{model}' would have {len(slugs)} default variants "
                    f"({', '.join(slugs)}); a model has exactly one"
                ]
            }
        if not slugs:
            return {
                "is_default": [
                    f"model '{model}' would have no default variant; a model has exactly one: "
                    f"set is_default to TRUE for one of {', '.join(self._variants[model])}"
                ]
            }
        return {}

    def write(self, created: list, updated: list) -> None:
        giving_up = [variant for variant in updated if not variant.is_default]
        self.write_updates(giving_up)
        self.write_creates(created)
        self.write_updates([variant for variant in updated if variant.is_default])


class ProductResource(SheetResource):
    """Exactly one product is the default (the one the unscoped API routes serve), across the
    sheet and the draft; handing it over in one sheet writes the old default's change first."""

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        in_sheet, defaults = set(), []
        for row in dataset.dict:
            slug = cells.display(row.get("slug"))
            in_sheet.add(slug)
            try:
                if cells.boolean_cell(row.get("is_default"), nullable=False):
                    defaults.append(slug)
            except ValueError:
                pass  # the row's own validation names it
        for slug, is_default in self._meta.model.objects.values_list("slug", "is_default"):
            if slug not in in_sheet and is_default:
                defaults.append(slug)
        self._defaults, self._slugs = (
            defaults,
            sorted(in_sheet | set(self._meta.model.objects.values_list("slug", flat=True))),
        )

    def extra_errors(self, instance) -> dict:
        if instance.is_default and len(self._defaults) > 1:
            return {
                "is_default": [
                    f"{len(self._defaults)} products would be the default ({', '.join(self._defaults)}); "
                    "exactly one is: set is_default to FALSE for all but one"
                ]
            }
        if not self._defaults:
            return {
                "is_default": [
                    "no product would be the default; exactly one is (the unscoped API routes serve it): "
                    f"set is_default to TRUE for one of {', '.join(self._slugs)}"
                ]
            }
        return {}

    def write(self, created: list, updated: list) -> None:
        giving_up = [product for product in updated if not product.is_default]
        self.write_updates(giving_up)
        self.write_creates(created)
        self.write_updates([product for product in updated if product.is_default])


def _widget(table, name: str):
    if name in table.ref_of:
        ref = table.ref_of[name]
        target = TABLE[ref.table]
        if len(ref.keys) > 1:
            return VariantWidget(target.model, model_column=ref.keys[0])
        if ref.table == "products":
            # Named in the messages, with the products listed: a row of another product is the usual slip.
            noun = str(table.model._meta.verbose_name)
            return RefWidget(
                target.model,
                field=target.ident,
                noun="product",
                required=f"every {noun} belongs to a product",
                list_known=True,
            )
        if ref.table == "providers" and ref.field in ("supplier", "primary_supplier"):
            null = table.model._meta.get_field(ref.field).null
            noun = str(table.model._meta.verbose_name)
            return RefWidget(
                target.model,
                field=target.ident,
                noun="supplier",
                required="" if null else f"every {noun} names its supplier (the provider it is bought from)",
                list_known=True,
            )
        return RefWidget(target.model, field=target.ident)
    model = table.model
    field = model._meta.get_field(name)
    if isinstance(field, models.DecimalField):
        return DecimalWidget()
    if isinstance(field, models.BooleanField):
        return BooleanWidget(nullable=field.null)
    if isinstance(field, models.DateField):
        return DateWidget()
    if isinstance(field, models.IntegerField):
        return IntegerWidget()
    if table.fields[name].kind is QUANTITIES:
        return QuantityListWidget()
    return TextWidget(key=any(rule in field.validators for rule in KEY_VALIDATORS))


def sheet_resource(table, base=SheetResource) -> type[SheetResource]:
    """The resource of one `billingcfg.releases.tables` entry: a column per configuration key, in the model's field order."""
    model = table.model
    refs = {ref.field: ref for ref in table.refs}
    names = [field.name for field in model._meta.fields if field.name in table.fields or field.name in refs]
    declared = {}
    for name in names:
        column = refs[name].name if name in refs else name
        declared[column] = Field(
            attribute=name, column_name=column, widget=_widget(table, column), saves_null_values=True
        )
    key_columns = table.key
    ordered = [*key_columns, *(column for column in declared if column not in key_columns)]
    meta = type(
        "Meta",
        (base.Meta,),
        {
            "model": model,
            "fields": ordered,
            "import_id_fields": list(key_columns),
            "import_order": ordered,
            "export_order": ordered,
        },
    )
    name = "".join(part.title() for part in table.name.split("_")) + "Resource"
    return type(
        name,
        (base,),
        {
            "Meta": meta,
            "table": table,
            "key_columns": key_columns,
            "repeatable": table.repeatable,
            **declared,
            "__module__": __name__,
        },
    )


_BASES = {"variants": VariantResource, "products": ProductResource}
# The workbook's sheets, in the order they import (every table after those it points to).
RESOURCES: dict[str, type[SheetResource]] = {
    table.name: sheet_resource(table, _BASES.get(table.name, SheetResource)) for table in TABLES
}


class SupplierNameResource(SheetResource):
    """Price-list suppliers: a pattern that is empty or takes every provider (`*`) is refused."""

    def extra_errors(self, instance) -> dict:
        problem = pattern_problem(instance.pattern or "")
        return {"pattern": [problem]} if problem else {}


SupplierNamesResource = sheet_resource(SUPPLIER_NAMES, SupplierNameResource)

# The workbook's sheets: the configuration's tables and, after the providers (the suppliers), the
# price-list names of each supplier (`price_list_suppliers`), so the workbook shows which suppliers
# exist and what a price list calls them. Not part of a release; aliases keep their own sheet.
WORKBOOK_RESOURCES: dict[str, type[SheetResource]] = {}
for _name, _resource in RESOURCES.items():
    WORKBOOK_RESOURCES[_name] = _resource
    if _name == "providers":
        WORKBOOK_RESOURCES[SUPPLIER_NAMES.name] = SupplierNamesResource

RESOURCE_OF_MODEL = {
    resource._meta.model: resource for resource in [*RESOURCES.values(), sheet_resource(ALIASES), SupplierNamesResource]
}
