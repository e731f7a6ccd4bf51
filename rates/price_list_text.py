"""A price list's dry-run report in words, the same on the admin's import page
and in import_price_map's output: costs that differ, new costs, rows held back
until confirmed, negotiated costs kept, rows entries disagree on, margins that
move worst first (per product), skipped keys and entries grouped by reason,
entries not ours. rates.price_list_import makes the report; this module only
words it."""

from collections import defaultdict
from decimal import Decimal

from billingcfg.core.capping import first_and_rest
from billingcfg.core.text import change_text, flag_badges, margin_cell, usage_text
from pricing.money import format_exact, format_percent
from pricing.report import FLAG_LABELS
from rates.price_list_import import reason_for

# How many entries a skipped reason names before "and N more".
NAMES_SHOWN = 8


def _amount(value: Decimal | str | None) -> str:
    return "—" if value is None else format_exact(Decimal(value))


def row_label(
    model: str, variant: str | None, meter: str, tier_threshold: Decimal | None = None, supplier: str = ""
) -> str:
    """'gemini-2-5-flash / all variants / input_tokens from google above 200000'."""
    tier = f" above {format_exact(tier_threshold)}" if tier_threshold is not None else ""
    bought = f" from {supplier}" if supplier else ""
    return f"{model} / {variant or 'all variants'} / {meter}{bought}{tier}"


def price_text(price: Decimal, currency: str, high: Decimal | None = None) -> str:
    """'0.75 USD', '0.3–0.6 CNY' for a band."""
    band = f"{_amount(price)}–{_amount(high)}" if high is not None else _amount(price)
    return f"{band} {currency}"


def _cost_band(cost: dict | None) -> str:
    if cost is None:
        return "—"
    low, high = Decimal(cost["low"]), Decimal(cost["high"])
    return price_text(low, cost["currency"], high if high != low else None)


def _per(per_units: int | None) -> str:
    return "" if per_units is None else f"{per_units:,}"


def _flags_text(flags) -> str:
    return " ".join(f"[{FLAG_LABELS.get(flag, flag)}]" for flag in flags)


def _source(row) -> str:
    """The entry (and key) that priced a row, and the entries that agree with it."""
    also = f" (also {', '.join(row.agreeing)})" if row.agreeing else ""
    return f"{row.entry} {row.key}{also}"


def _row_cells(row) -> dict:
    return {
        "row": row_label(row.model, row.variant, row.meter, row.tier_threshold),
        "row_from": row_label(row.model, row.variant, row.meter, row.tier_threshold, row.supplier),
        "row_id": row.row_id,
        "model": row.model,
        "variant": row.variant or "all variants",
        "meter": row.meter,
        "supplier": row.supplier,
    }


def _change_line(change) -> dict:
    per = _per(change.per_units)
    if change.old_per_units != change.per_units:
        per = f"{_per(change.old_per_units)} → {per}"
    return {
        **_row_cells(change),
        "tier": "" if change.tier_threshold is None else f"above {format_exact(change.tier_threshold)}",
        "per": per,
        "old": price_text(change.old_price, change.old_currency, change.old_price_high),
        "new": price_text(change.new_price, change.new_currency),
        "change": change_text(change.change) or "—",
        "rise": change.change is not None and change.change > 0,
        "source": _source(change),
        "rounded": "" if change.unrounded is None else f"rounded from {_amount(change.unrounded)}",
        "held": change.held,
        "confirmed": change.confirmed,
    }


def _added_line(cost) -> dict:
    tiered = cost.tier_threshold is not None
    return {
        **_row_cells(cost),
        "tier": f"above {format_exact(cost.tier_threshold)} {cost.tier_meter} (cliff)" if tiered else "",
        "tier_rule": f"(cliff, measured on {cost.tier_meter})" if tiered else "",
        "per": _per(cost.per_units),
        "new": price_text(cost.price, cost.currency),
        "source": _source(cost),
        "rounded": "" if cost.unrounded is None else f"rounded from {_amount(cost.unrounded)}",
        "held": cost.held,
        "confirmed": cost.confirmed,
    }


def _held_line(row) -> dict:
    if hasattr(row, "old_price"):
        line = _change_line(row)
    else:
        line = {**_added_line(row), "old": "—", "change": "new", "rise": False}
    return {**line, "new_row": not hasattr(row, "old_price")}


def _kept_line(kept) -> dict:
    return {
        **_row_cells(kept),
        "tier": "" if kept.tier_threshold is None else f"above {format_exact(kept.tier_threshold)}",
        "kept": f"{price_text(kept.price, kept.currency, kept.price_high)} per {_per(kept.per_units)}",
        "listed": f"{price_text(kept.list_price, 'USD')} per {_per(kept.list_per_units)}",
        "source": f"{kept.entry} {kept.key}",
    }


def _ambiguous_line(ambiguous) -> dict:
    first = ambiguous.candidates[0]
    return {
        **_row_cells(first),
        "candidates": [
            {"source": f"{c.entry} {c.key}", "price": f"{price_text(c.price, c.currency)} per {_per(c.per_units)}"}
            for c in ambiguous.candidates
        ],
    }


def _move_line(move, targets: dict) -> dict:
    target = targets.get(move.product)
    return {
        "row": f"{move.model} / {move.variant} / {move.meter}" + (f" {move.tier}" if move.tier else ""),
        "product": move.product,
        "model": move.model,
        "variant": move.variant,
        "meter": move.meter,
        "tier": move.tier,
        "credits": _amount(move.credits),
        "per": _per(move.per_units),
        "cost_old": _cost_band(move.cost_old),
        "cost_new": _cost_band(move.cost_new),
        "lowest_old": margin_cell(move.lowest_old, target, at="lowest"),
        "lowest_new": margin_cell(move.lowest_new, target, at="lowest"),
        "basis_old": margin_cell(move.basis_old, target, at="basis"),
        "basis_new": margin_cell(move.basis_new, target, at="basis"),
        "target": "—" if target is None else format_percent(target),
        "flags": flag_badges(move.flags_new),
        "flags_text": _flags_text(move.flags_new),
        "loss": move.loss,
        "below_target": move.below_target,
    }


def _workflow_line(move, targets: dict) -> dict:
    target = targets.get(move.product)
    return {
        "product": move.product,
        "workflow": move.workflow,
        "unit_label": move.unit_label,
        "credits": _amount(move.credits),
        "cost_old": _cost_band(move.cost_old),
        "cost_new": _cost_band(move.cost_new),
        "lowest_old": margin_cell(move.lowest_old, target, at="lowest"),
        "lowest_new": margin_cell(move.lowest_new, target, at="lowest"),
        "basis_old": margin_cell(move.basis_old, target, at="basis"),
        "basis_new": margin_cell(move.basis_new, target, at="basis"),
        "target": "—" if target is None else format_percent(target),
        "flags": flag_badges(move.flags_new),
        "flags_text": _flags_text(move.flags_new),
        "loss": move.loss,
        "below_target": move.below_target,
    }


def _request_line(price: dict, targets: dict) -> dict:
    target = targets.get(price["product"])
    margin = price["margin"]
    credits = price["credits"]["new"] if price["credits"]["new"] is not None else price["credits"]["old"]
    return {
        "product": price["product"],
        "model": price["model"],
        "variant": price["variant"],
        "usage": usage_text(price["usage_new"]),
        "credits": "—" if credits is None else f"{credits:,}",
        "cost_old": _cost_band(price["cost"]["old"]),
        "cost_new": _cost_band(price["cost"]["new"]),
        "lowest_old": margin_cell(margin["lowest"]["old"], target, at="lowest"),
        "lowest_new": margin_cell(margin["lowest"]["new"], target, at="lowest"),
        "basis_old": margin_cell(margin["basis"]["old"], target, at="basis"),
        "basis_new": margin_cell(margin["basis"]["new"], target, at="basis"),
        "flags": flag_badges(price["flags"]["new"] or ()),
        "flags_text": _flags_text(price["flags"]["new"] or ()),
    }


def skipped_by_reason(skipped, *, shown: int = NAMES_SHOWN) -> list[dict]:
    """Skipped entries and keys grouped by their reason, the most frequent first: a
    2,000-entry file's passed-over entries are a few lines, not one each."""
    groups: dict[str, list] = defaultdict(list)
    for item in skipped:
        groups[item.reason].append(item)
    lines = []
    for reason, items in sorted(groups.items(), key=lambda group: (-len(group[1]), group[0])):
        names = [f"{item.entry} {item.key}" if item.key else item.entry for item in items]
        first, more = first_and_rest(names, shown)
        lines.append(
            {
                "reason": reason,
                "count": len(items),
                "whole": all(not item.key for item in items),
                "names": first,
                "all_names": names,
                "more": more,
                "models": sorted({item.model for item in items if item.model}),
            }
        )
    return lines


def report_context(report) -> dict:
    """What the report template shows."""
    ours = sorted({entry.model for entry in report.matched})
    passed_over = [item for item in report.skipped if not item.key]
    return {
        "report": report,
        "models_matched": ours,
        "changes": [_change_line(change) for change in report.changes],
        "added": [_added_line(cost) for cost in report.added],
        "held": [_held_line(row) for row in report.held],
        "kept": [_kept_line(kept) for kept in report.kept],
        "ambiguous": [_ambiguous_line(row) for row in report.ambiguous],
        "moves": [_move_line(move, report.targets) for move in report.margin_moves],
        "requests": [_request_line(price, report.targets) for price in report.request_prices],
        "workflows": [_workflow_line(move, report.targets) for move in report.workflow_moves],
        "skipped": skipped_by_reason(report.skipped),
        "skipped_count": len(report.skipped),
        "passed_over": len(passed_over),
        "rows_priced": len(report.changes) + len(report.added) + report.unchanged + len(report.held) + len(report.kept),
        "hold_text": f"±{format_exact(report.hold_share * 100)} %",
        "reason": reason_for(report.filename),
    }


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number:,} {one if number == 1 else (many or one + 's')}"


def report_lines(report, *, all_unmatched: bool = False, unmatched_shown: int = 20) -> list[str]:
    """The report as text, for the command: the same sections as the page, worst first."""
    context = report_context(report)
    providers = f" (providers: {', '.join(report.providers)})" if report.providers else ""
    lines = [
        f"Price list {report.filename} (sha256 {report.sha256[:12]}…): {report.entries:,} entries; "
        f"{len(report.matched):,} priced {len(context['models_matched']):,} of our models{providers}, "
        + (f"{context['passed_over']:,} of our models' entries passed over, " if context["passed_over"] else "")
        + f"{len(report.unmatched):,} not in our catalogue"
        + (f", {len(report.excluded):,} of other providers" if report.excluded else "")
        + ".",
        f"Rows priced: {context['rows_priced']:,} ({len(report.changes):,} differ, {len(report.added):,} new, "
        f"{report.unchanged:,} unchanged, {len(report.held):,} held, {len(report.kept):,} kept as negotiated); "
        f"{_count(len(report.ambiguous), 'row')} ambiguous.",
    ]
    if not report.supplier_names:
        lines.append(
            "No price-list suppliers: no entry can be taken as one of our suppliers' costs. Map LiteLLM's "
            "providers to our suppliers in the admin (Price-list suppliers) first."
        )
    if context["changes"]:
        lines.append(f"Provider costs that differ ({len(context['changes'])}), largest rise first:")
        lines += [
            f"  {line['row_from']}: {line['old']} → {line['new']} per {line['per']} ({line['change']})"
            f"{'; ' + line['rounded'] if line['rounded'] else ''}"
            f"{'; confirmed (' + line['held'] + ')' if line['confirmed'] else ''}  [{line['source']}]"
            for line in context["changes"]
        ]
    else:
        lines.append("Provider costs that differ: none.")
    if context["added"]:
        lines.append(f"New provider costs ({len(context['added'])}):")
        lines += [
            f"  {line['row_from']}{' ' + line['tier_rule'] if line['tier_rule'] else ''}: {line['new']} "
            f"per {line['per']}{'; confirmed (' + line['held'] + ')' if line['confirmed'] else ''}"
            f"  [{line['source']}]"
            for line in context["added"]
        ]
    if context["held"]:
        lines.append(
            f"Held back, not written until confirmed ({len(context['held'])}): moves of more than "
            f"{context['hold_text']}, to or from zero, or not measurable. Confirm a row with --confirm ROW "
            "(repeat for several) or all with --confirm-all-held:"
        )
        lines += [
            f"  {line['row_id']}: {line['old']} → {line['new']} per {line['per']} ({line['change']}): "
            f"{line['held']}  [{line['source']}]"
            for line in context["held"]
        ]
    if context["kept"]:
        lines.append(f"Negotiated costs kept, never overwritten by a price list ({len(context['kept'])}):")
        lines += [
            f"  {line['row_from']}: kept {line['kept']}; the list's {line['listed']}  [{line['source']}]"
            for line in context["kept"]
        ]
    if context["ambiguous"]:
        lines.append(
            f"Ambiguous, not applied: entries of one supplier disagree ({len(context['ambiguous'])}); "
            "an alias naming the entry to use decides:"
        )
        lines += [
            f"  {line['row_from']}: " + "; ".join(f"{c['source']} = {c['price']}" for c in line["candidates"])
            for line in context["ambiguous"]
        ]
    if report.unchanged:
        lines.append(
            f"Unchanged: {report.unchanged:,} provider cost{'s' if report.unchanged != 1 else ''} "
            "already at the list's price."
        )
    if context["moves"]:
        lines.append(
            f"Credit rates whose margins move ({len(context['moves'])}), worst first (gross margin at the "
            "lowest credit price and at the basis, each against its product's target):"
        )
        lines += [
            f"  {line['product']}: {line['row']}: {line['credits']} credits per {line['per']}; "
            f"cost {line['cost_old']} → "
            f"{line['cost_new']}; at lowest {line['lowest_old']['text']} → {line['lowest_new']['text']}; "
            f"at basis {line['basis_old']['text']} → {line['basis_new']['text']} (target {line['target']})"
            f"{'  ' + line['flags_text'] if line['flags_text'] else ''}"
            for line in context["moves"]
        ]
    elif report.changes_draft:
        lines.append("Credit rates whose margins move: none (the costs that change are not sold).")
    if context["workflows"]:
        lines.append(f"Workflows whose cost moves ({len(context['workflows'])}), worst first:")
        lines += [
            f"  {line['product']}: {line['workflow']} (per {line['unit_label']}): cost {line['cost_old']} → "
            f"{line['cost_new']}"
            + (
                f"; {line['credits']} credits; at lowest {line['lowest_old']['text']} → {line['lowest_new']['text']}; "
                f"at basis {line['basis_old']['text']} → {line['basis_new']['text']} (target {line['target']})"
                if line["credits"] != "—"
                else " (not sold: cost only)"
            )
            + (f"  {line['flags_text']}" if line["flags_text"] else "")
            for line in context["workflows"]
        ]
    if context["requests"]:
        lines.append(f"Default requests ({len(context['requests'])}), worst first:")
        lines += [
            f"  {line['product']}: {line['model']} / {line['variant']} ({line['usage']}): {line['credits']} credits; "
            f"cost {line['cost_old']} → {line['cost_new']}; at lowest {line['lowest_old']['text']} → "
            f"{line['lowest_new']['text']}; at basis {line['basis_old']['text']} → "
            f"{line['basis_new']['text']}{'  ' + line['flags_text'] if line['flags_text'] else ''}"
            for line in context["requests"]
        ]
    if context["skipped"]:
        lines.append(f"Skipped ({context['skipped_count']:,}), by reason:")
        for group in context["skipped"]:
            names = group["all_names"] if all_unmatched else group["names"]
            more = 0 if all_unmatched else group["more"]
            what = _count(group["count"], "entry", "entries") if group["whole"] else f"{group['count']:,}"
            lines.append(
                f"  {group['reason']} ({what}): {', '.join(names)}"
                + (f" … and {more:,} more (-v 2 lists them all)" if more else "")
            )
    for title, names in (("Not in our catalogue", report.unmatched), ("Of other providers", report.excluded)):
        if not names:
            continue
        shown = names if all_unmatched else names[:unmatched_shown]
        more = len(names) - len(shown)
        lines.append(
            f"{title} ({len(names):,}): {', '.join(shown)}"
            + (f" … and {more:,} more (-v 2 lists them all)" if more else "")
        )
    return lines
