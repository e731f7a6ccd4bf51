"""django-import-export widgets for the configuration's cells: exact decimals,
strict yes/no and dates, formula-safe text, and foreign keys by slug read from
one query per table and import (never one per row)."""

from import_export import widgets

from billingcfg.core.capping import first_and_rest
from billingcfg.sheets import cells
from pricing.quantities import format_quantity_list, parse_quantity_list


class TextWidget(widgets.Widget):
    """Text; `key` for slugs, codes and names: formula-like text is refused."""

    def __init__(self, *, key: bool = False):
        super().__init__(coerce_to_string=True)
        self.key = key

    def clean(self, value, row=None, **kwargs):
        return cells.text_cell(value, key=self.key)

    def render(self, value, obj=None, **kwargs):
        return cells.neutralise("" if value is None else str(value))


class QuantityListWidget(TextWidget):
    """Allowed quantities, "4, 8, 12": normalised, so "4,8,12" is unchanged."""

    def clean(self, value, row=None, **kwargs):
        text = cells.text_cell(value)
        try:
            return format_quantity_list(parse_quantity_list(text))
        except ValueError as error:
            raise cells.CellError(str(error)) from None


class DecimalWidget(widgets.Widget):
    """Exact decimals: text in CSV and JSON ("0.0000003", never "3E-7"), numbers in XLSX."""

    def clean(self, value, row=None, **kwargs):
        return cells.decimal_cell(value)

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return cells.decimal_value(value)
        return cells.decimal_text(value)


class IntegerWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return cells.integer_cell(value)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else str(value)


class BooleanWidget(widgets.Widget):
    """TRUE / FALSE; empty only where the column allows "not applicable"."""

    def __init__(self, *, nullable: bool):
        super().__init__()
        self.nullable = nullable

    def clean(self, value, row=None, **kwargs):
        return cells.boolean_cell(value, nullable=self.nullable)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else cells.display(value)


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return cells.date_cell(value)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else value.isoformat()


# An unknown product or supplier is refused with the known ones listed, the first few of them.
KNOWN_SHOWN = 10


class RefWidget(widgets.Widget):
    """A foreign key by its target's natural key (a slug or a code). The whole
    target table is read once per import; `reset()` forgets it."""

    def __init__(self, model, *, field: str = "slug", noun: str = "", required: str = "", list_known: bool = False):
        """`noun`: what the column calls its target (a supplier is a provider row); `required`:
        the rule an empty cell breaks (empty is "none" without it); `list_known`: an unknown
        value's message lists the known ones (for short tables such as products)."""
        super().__init__()
        self.model, self.field = model, field
        self.noun = noun or str(model._meta.verbose_name)
        self.required, self.list_known = required, list_known
        self._rows = None

    def reset(self) -> None:
        self._rows = None

    def _lookup(self) -> dict:
        if self._rows is None:
            self._rows = {getattr(row, self.field): row for row in self.model.objects.all()}
        return self._rows

    def _known(self) -> str:
        if not self.list_known:
            return ""
        shown, rest = first_and_rest(sorted(str(name) for name in self._lookup()), KNOWN_SHOWN)
        if not shown:
            return f"; there is no {self.noun} yet"
        return f"; the {self.noun}s are: {', '.join(shown)}" + (f" and {rest:,} more" if rest else "")

    def clean(self, value, row=None, **kwargs):
        text = cells.text_cell(value, key=True)
        if text == "":
            if self.required:
                raise cells.CellError(f"empty: {self.required}{self._known()}")
            return None
        found = self._lookup().get(text)
        if found is None:
            raise cells.CellError(f"there is no {self.noun} '{text}'{self._known()}")
        return found

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else getattr(value, self.field)


class VariantWidget(RefWidget):
    """A variant is named by its slug within the row's model (column `model_column`)."""

    def __init__(self, model, *, model_column: str = "model"):
        super().__init__(model)
        self.model_column = model_column

    def _lookup(self) -> dict:
        if self._rows is None:
            self._rows = {(row.model.slug, row.slug): row for row in self.model.objects.select_related("model")}
        return self._rows

    def clean(self, value, row=None, **kwargs):
        text = cells.text_cell(value, key=True)
        if text == "":
            return None
        owner = cells.text_cell((row or {}).get(self.model_column), key=True)
        found = self._lookup().get((owner, text))
        if found is None:
            raise cells.CellError(f"model '{owner}' has no variant '{text}'")
        return found

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.slug
