"""A price list's dry-run report in words, the same on the admin's import page
and in import_price_map's output: costs that differ, new costs, margins that
move worst first, skipped keys, entries not ours. rates.price_list_import makes
the report; this module only words it."""

from decimal import Decimal

from billingcfg.core.text import change_text, flag_badges, margin_cell, usage_text
from pricing.money import format_exact, format_percent
from pricing.report import FLAG_LABELS
from rates.price_list_import import reason_for


def _amount(value: Decimal | str | None) -> str:
    return "—" if value is None else format_exact(Decimal(value))


def row_label(model: str, variant: str | None, meter: str, tier_threshold: Decimal | None = None) -> str:
    tier = f" above {format_exact(tier_threshold)}" if tier_threshold is not None else ""
    return f"{model} / {variant or 'all variants'} / {meter}{tier}"


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


def _change_line(change) -> dict:
    per = _per(change.per_units)
    if change.old_per_units != change.per_units:
        per = f"{_per(change.old_per_units)} → {per}"
    return {
        "row": row_label(change.model, change.variant, change.meter, change.tier_threshold),
        "model": change.model,
        "variant": change.variant or "all variants",
        "meter": change.meter,
        "tier": "" if change.tier_threshold is None else f"above {format_exact(change.tier_threshold)}",
        "per": per,
        "old": price_text(change.old_price, change.old_currency, change.old_price_high),
        "new": price_text(change.new_price, change.new_currency),
        "change": change_text(change.change) or "—",
        "rise": change.change is not None and change.change > 0,
        "source": f"{change.entry} {change.key}",
        "rounded": "" if change.unrounded is None else f"rounded from {_amount(change.unrounded)}",
    }


def _added_line(cost) -> dict:
    tiered = cost.tier_threshold is not None
    return {
        "row": row_label(cost.model, cost.variant, cost.meter, cost.tier_threshold),
        "model": cost.model,
        "variant": cost.variant or "all variants",
        "meter": cost.meter,
        "tier": f"above {format_exact(cost.tier_threshold)} {cost.tier_meter} (cliff)" if tiered else "",
        "tier_rule": f"(cliff, measured on {cost.tier_meter})" if tiered else "",
        "per": _per(cost.per_units),
        "new": price_text(cost.price, cost.currency),
        "source": f"{cost.entry} {cost.key}",
        "rounded": "" if cost.unrounded is None else f"rounded from {_amount(cost.unrounded)}",
    }


def _move_line(move, target: Decimal) -> dict:
    return {
        "row": f"{move.model} / {move.variant} / {move.meter}" + (f" {move.tier}" if move.tier else ""),
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
        "flags": flag_badges(move.flags_new),
        "flags_text": _flags_text(move.flags_new),
        "loss": move.loss,
        "below_target": move.below_target,
    }


def _request_line(price: dict, target: Decimal) -> dict:
    margin = price["margin"]
    credits = price["credits"]["new"] if price["credits"]["new"] is not None else price["credits"]["old"]
    return {
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


def report_context(report) -> dict:
    """What the report template shows."""
    target = report.target_gross_margin
    ours = sorted({entry.model for entry in report.matched})
    return {
        "report": report,
        "models_matched": ours,
        "changes": [_change_line(change) for change in report.changes],
        "added": [_added_line(cost) for cost in report.added],
        "moves": [_move_line(move, target) for move in report.margin_moves],
        "requests": [_request_line(price, target) for price in report.request_prices],
        "skipped": [
            {"entry": item.entry, "key": item.key or "(whole entry)", "model": item.model or "", "reason": item.reason}
            for item in report.skipped
        ],
        "target": target,
        "target_text": format_percent(target),
        "reason": reason_for(report.filename),
    }


def report_lines(report, *, all_unmatched: bool = False, unmatched_shown: int = 20) -> list[str]:
    """The report as text, for the command: the same sections as the page, worst first."""
    context = report_context(report)
    providers = f" (providers: {', '.join(report.providers)})" if report.providers else ""
    lines = [
        f"Price list {report.filename} (sha256 {report.sha256[:12]}…): {report.entries:,} entries; "
        f"{len(report.matched):,} priced {len(context['models_matched']):,} of our models{providers}, "
        f"{len(report.unmatched):,} not in our catalogue"
        + (f", {len(report.excluded):,} of other providers" if report.excluded else "")
        + ".",
    ]
    if context["changes"]:
        lines.append(f"Provider costs that differ ({len(context['changes'])}), largest rise first:")
        lines += [
            f"  {line['row']}: {line['old']} → {line['new']} per {line['per']} ({line['change']})"
            f"{'; ' + line['rounded'] if line['rounded'] else ''}  [{line['source']}]"
            for line in context["changes"]
        ]
    else:
        lines.append("Provider costs that differ: none.")
    if context["added"]:
        lines.append(f"New provider costs ({len(context['added'])}):")
        lines += [
            f"  {line['row']}{' ' + line['tier_rule'] if line['tier_rule'] else ''}: {line['new']} "
            f"per {line['per']}  [{line['source']}]"
            for line in context["added"]
        ]
    if report.unchanged:
        lines.append(
            f"Unchanged: {report.unchanged:,} provider cost{'s' if report.unchanged != 1 else ''} "
            "already at the list's price."
        )
    if context["moves"]:
        lines.append(
            f"Credit rates whose margins move ({len(context['moves'])}), worst first (gross margin at the "
            f"lowest credit price and at the basis; target {context['target_text']}):"
        )
        lines += [
            f"  {line['row']}: {line['credits']} credits per {line['per']}; cost {line['cost_old']} → "
            f"{line['cost_new']}; at lowest {line['lowest_old']['text']} → {line['lowest_new']['text']}; "
            f"at basis {line['basis_old']['text']} → {line['basis_new']['text']}"
            f"{'  ' + line['flags_text'] if line['flags_text'] else ''}"
            for line in context["moves"]
        ]
    elif report.changes_draft:
        lines.append("Credit rates whose margins move: none (the costs that change are not sold).")
    if context["requests"]:
        lines.append(f"Default requests ({len(context['requests'])}), worst first:")
        lines += [
            f"  {line['model']} / {line['variant']} ({line['usage']}): {line['credits']} credits; cost "
            f"{line['cost_old']} → {line['cost_new']}; at lowest {line['lowest_old']['text']} → "
            f"{line['lowest_new']['text']}; at basis {line['basis_old']['text']} → "
            f"{line['basis_new']['text']}{'  ' + line['flags_text'] if line['flags_text'] else ''}"
            for line in context["requests"]
        ]
    if context["skipped"]:
        lines.append(f"Skipped ({len(context['skipped'])}):")
        lines += [f"  {item['entry']} {item['key']}: {item['reason']}" for item in context["skipped"]]
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
