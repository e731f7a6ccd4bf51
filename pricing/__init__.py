"""The pricing engine: what a usage costs, what it is charged in credits, what a
credit brings in, and the margins between them, computed from a configuration
held as plain frozen values. Decimal in, Decimal out; no Django, no database,
no app module (a test holds it to that), so a backend could install it alone.

The entry points, importable from here:

- `Catalogue`: the whole configuration keyed by slug (its parts are in
  `pricing.catalogue`); `Converter`: conversion through its exchange rates.
- `quote_model`, `quote_workflow` → `Quote`: the price of one usage.
- `margin_report` → `MarginReport`: every margin and flag of a catalogue.
- `validate_catalogue` → `Validation`: what blocks publishing, what is worth a look.
- `document_diff`: what changed between two configuration documents.
- `dec`: the one exact text of a decimal ("0.1", never "0.10000000" or "1E-1");
  `format_exact` is the same text grouped for reading; `Band`: an amount known
  as a range.
- Errors: `PricingError` (a usage or configuration that cannot be priced; its
  kinds `MissingCost`, `QuantityError`, `UnknownName`) and `MissingExchangeRate`.

The calculations behind them have a module each: `costing` (provider cost),
`charging` (credits), `revenue` (revenue per credit), `margins`, `economics`
(plans), `workflow_cost`, `thresholds`, `quantities`, `fx`, `money`.
"""

from pricing.catalogue import Catalogue
from pricing.diff import document_diff
from pricing.errors import MissingCost, MissingExchangeRate, PricingError, QuantityError, UnknownName
from pricing.fx import Converter
from pricing.money import Band, dec, format_exact
from pricing.quote import Quote, quote_model, quote_workflow
from pricing.report import MarginReport, margin_report
from pricing.validation import Validation, validate_catalogue

__all__ = [
    "Band",
    "Catalogue",
    "Converter",
    "MarginReport",
    "MissingCost",
    "MissingExchangeRate",
    "PricingError",
    "QuantityError",
    "Quote",
    "UnknownName",
    "Validation",
    "dec",
    "document_diff",
    "format_exact",
    "margin_report",
    "quote_model",
    "quote_workflow",
    "validate_catalogue",
]
