"""How the services' results read to people, the same on the admin's pages and
in the commands' output: what a restore changed, an instant, a change in percent,
a gross margin toned as the flags judge it, a row's flags as badges. The services
return values; the surfaces word them with these."""

from datetime import UTC, datetime
from decimal import Decimal

from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from billingcfg.core import charts
from pricing.money import format_exact, format_percent
from pricing.report import FLAG_LABELS

NOT_PRICED = "—"


def load_summary(result) -> str:
    """What a restore changed, per table: 'credit rates: 1 updated; meters: 1 deleted'."""
    if not result.changed:
        return "nothing changed: the draft already held it"
    tables = sorted(set(result.created) | set(result.updated) | set(result.deleted))
    parts = []
    for table in tables:
        counts = [
            f"{result.created[table]} created" if result.created[table] else "",
            f"{result.updated[table]} updated" if result.updated[table] else "",
            f"{result.deleted[table]} deleted" if result.deleted[table] else "",
        ]
        parts.append(f"{table}: {', '.join(count for count in counts if count)}")
    return "; ".join(parts)


def moment_text(moment: datetime) -> str:
    """'2026-12-01 00:00 UTC'."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def change_text(fraction) -> str:
    """'+25.0%', '−20.0%'; empty when there is nothing to compare with."""
    if fraction is None:
        return ""
    value = Decimal(fraction)
    return ("+" if value > 0 else "") + format_percent(value)


def usage_text(usage: dict | None) -> str:
    """'8 seconds', '300 input_tokens, 700 output_tokens': a variant's default request."""
    return ", ".join(f"{format_exact(Decimal(quantity))} {meter}" for meter, quantity in (usage or {}).items())


def margin_cell(text, target: Decimal | None, *, at: str) -> dict:
    """A gross margin as a percent, toned as the flags judge it: a loss at the
    lowest credit price, below target at the basis."""
    if text is None:
        return {"text": NOT_PRICED, "tone": "none"}
    value = Decimal(str(text))
    if at == "lowest":
        shown_tone = "loss" if value < 0 else "fine"
    else:
        shown_tone = charts.margin_tone(value, target if target is not None else Decimal(0))
    return {"text": format_percent(value), "tone": shown_tone}


def flag_badges(flags) -> SafeString:
    """A row's flags as the badges the margin screens show; OK for none."""
    if not flags:
        return mark_safe('<span class="margin-flag margin-ok">OK</span>')
    return format_html_join(
        " ", '<span class="margin-flag margin-{}">{}</span>', ((flag, FLAG_LABELS[flag]) for flag in flags)
    )
