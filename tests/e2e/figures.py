"""The figures a page should show, read from the draft with the project's own
functions, so a test states what it expects without copying numbers from a page."""

from decimal import Decimal

from django.utils import timezone

from pricing.margins import Margin


def draft_report():
    """The default product's margin report, as the admin computes it for today."""
    from billingcfg.releases.document import draft_snapshot

    return product_report(draft_snapshot().catalogue.product.slug)


def product_report(slug: str):
    """One product's margin report at its own credit, as the admin computes it for today."""
    from billingcfg.releases.document import draft_snapshot
    from pricing.report import margin_report

    return margin_report(draft_snapshot().catalogue.for_product(slug), on=timezone.localdate())


def basis_margin(credits: Decimal, row, report) -> Decimal:
    """Gross margin of `credits` against a price row's cost (its band's high end) at the basis credit price."""
    return Margin(revenue=credits * report.revenue.basis, cost=row.cost_reporting.high).gross_margin


def basis_margins(report) -> dict[tuple[str, str], Decimal]:
    """Each priced (model, variant)'s worst gross margin at the basis credit price."""
    return {(row.model, row.variant): row.at_basis.worst.gross_margin for row in report.rows if row.at_basis}
