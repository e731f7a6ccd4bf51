"""Geometry of the margins dashboard's charts: where the bars, lines, ticks and
labels go, computed from plain numbers and label texts. Pure: no Django; the
templates only draw what these values say.

Coordinates are floats in SVG user units, rounded to 0.1. Converting money
and margins to float is fine here: this is drawing, never arithmetic that is
shown or charged. Margins are fractions (0.8 = 80%).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

MINUS = "\u2212"
# An estimate of one character's width in the 11–12px sans-serif the charts use:
# enough to lay out legends and keep labels from overlapping.
CHAR_WIDTH = 6.6


def _r(value: float) -> float:
    return round(value, 1)


def percent_label(fraction: float, places: int = 1) -> str:
    """0.8 → '80.0%', −0.397 → '−39.7%' (a true minus sign)."""
    text = f"{fraction * 100:.{places}f}"
    if text.startswith("-"):
        text = MINUS + text[1:] if float(text[1:]) != 0 else text[1:]
    return f"{text}%"


def number_label(value: float, places: int = 0) -> str:
    """1234.5 → '1,234.5' with `places` decimals and a true minus sign."""
    text = f"{value:,.{places}f}"
    if text.startswith("-"):
        text = MINUS + text[1:] if float(text[1:].replace(",", "")) != 0 else text[1:]
    return text


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def text_width(text: str) -> float:
    return len(text) * CHAR_WIDTH


def nice_step(span: float, count: int = 5) -> float:
    """A tick step of 1, 2 or 5 × 10^k giving about `count` intervals over `span`."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * power * (1 + 1e-9):
            return multiple * power
    return 10 * power


def step_places(step: float) -> int:
    """Decimals needed to write multiples of `step` exactly: 0.005 → 3, 20 → 0."""
    places = 0
    while places < 10 and abs(step * 10**places - round(step * 10**places)) > 1e-9:
        places += 1
    return places


def tick_values(lo: float, hi: float, step: float) -> tuple[float, ...]:
    """Multiples of `step` from `lo` to `hi` inclusive."""
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return tuple(round(n * step, 12) + 0.0 for n in range(first, last + 1))


@dataclass(frozen=True, slots=True)
class Scale:
    """Maps the domain [lo, hi] linearly onto the range [start, end] (end < start for a y axis)."""

    lo: float
    hi: float
    start: float
    end: float

    def __post_init__(self):
        if not self.hi > self.lo:
            raise ValueError(f"a scale's domain runs from low to high, not {self.lo} to {self.hi}")

    def __call__(self, value: float) -> float:
        return _r(self.start + (value - self.lo) / (self.hi - self.lo) * (self.end - self.start))

    def clamp(self, value: float) -> tuple[float, bool]:
        """The value held inside the domain, and whether it had to be."""
        held = min(max(value, self.lo), self.hi)
        return held, held != value


@dataclass(frozen=True, slots=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"  # start | middle | end
    css: str = ""


@dataclass(frozen=True, slots=True)
class Tick:
    at: float  # x on a horizontal axis, y on a vertical one
    label: Text
    value: float


@dataclass(frozen=True, slots=True)
class Plot:
    """The drawing area inside the axes."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return _r(self.right - self.left)

    @property
    def height(self) -> float:
        return _r(self.bottom - self.top)


@dataclass(frozen=True, slots=True)
class RefLine:
    """A reference line (the target, a revenue figure, break-even) with its label."""

    x1: float
    y1: float
    x2: float
    y2: float
    css: str
    label: Text | None = None


@dataclass(frozen=True, slots=True)
class LegendItem:
    x: float
    y: float
    kind: str  # rect | line | dot
    css: str
    label: Text

    @property
    def top(self) -> float:
        """The top of a 14 × 10 swatch."""
        return _r(self.y - 5)

    @property
    def end(self) -> float:
        """The right end of a line swatch."""
        return _r(self.x + 14)

    @property
    def middle(self) -> float:
        return _r(self.x + 7)


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float | None
    series: str  # lowest | basis | offer
    tone: str  # loss | below | fine | muted | none
    label: Text  # the value, written next to the bar
    title: str  # what a hover shows
    clamped: bool = False
    marker: str = ""  # SVG polygon points of the off-scale arrowhead, when clamped


@dataclass(frozen=True, slots=True)
class BarChart:
    """Horizontal bars, one group per item, labelled on the left."""

    title: str
    width: float
    height: float
    plot: Plot
    zero_x: float
    ticks: tuple[Tick, ...]
    bars: tuple[Bar, ...]
    row_labels: tuple[Text, ...]
    lines: tuple[RefLine, ...]
    axis_label: Text
    legend: tuple[LegendItem, ...]
    notes: tuple[Text, ...] = ()


def _x_ticks(scale: Scale, values: Sequence[float], plot: Plot, label) -> tuple[Tick, ...]:
    return tuple(Tick(scale(v), Text(scale(v), _r(plot.bottom + 16), label(v), "middle", "tick"), v) for v in values)


def legend_row(
    entries: Sequence[tuple[str, str, str]], *, x: float, y: float, right: float, gap: float = 18
) -> tuple[LegendItem, ...]:
    """(kind, css, label) entries laid out left to right from (x, y), the swatch's
    middle on y, wrapping onto a new line 16 below before passing `right`."""
    items, at = [], x
    for kind, css, label in entries:
        span = 18 + text_width(label)
        if at > x and at + span > right:
            at, y = x, y + 16
        items.append(LegendItem(x=_r(at), y=_r(y), kind=kind, css=css, label=Text(_r(at + 18), _r(y + 4), label)))
        at += span + gap
    return tuple(items)


def margin_tone(margin: float | None, target: float) -> str:
    if margin is None:
        return "none"
    if margin < 0:
        return "loss"
    if margin < target:
        return "below"
    return "fine"


@dataclass(frozen=True, slots=True)
class MarginItem:
    """One model/variant: its gross margins at the lowest and at the basis credit price."""

    label: str
    lowest: float | None
    basis: float | None
    lowest_text: str = ""  # as the table writes it; formatted here when empty
    basis_text: str = ""


def margin_chart(
    items: Sequence[MarginItem],
    *,
    target: float,
    floor: float = -1.0,
    lowest_legend: str = "at the lowest credit price",
    basis_legend: str = "at the basis credit price",
    width: float = 1180,
) -> BarChart:
    """Gross margin per item as two horizontal bars (lowest, basis) against a vertical
    target line. Negative margins run left of zero; below `floor` they stop at it with
    an arrowhead and the true figure written beside."""
    left, right_pad, top = 250.0, 80.0, 58.0
    bar_h, bar_gap, group_gap = 11.0, 2.0, 9.0
    group_h = 2 * bar_h + bar_gap + group_gap
    values = [v for item in items for v in (item.lowest, item.basis) if v is not None]
    step = 0.2
    lowest_seen = min([0.0, *values])
    lo = max(floor, math.floor(lowest_seen / step - 1e-9) * step) if lowest_seen < 0 else 0.0
    hi = 1.0
    plot = Plot(left, top, width - right_pad, _r(top + max(len(items), 1) * group_h))
    scale = Scale(lo, hi, plot.left, plot.right)
    zero_x = scale(0.0)
    bars, row_labels = [], []
    for index, item in enumerate(items):
        group_top = plot.top + index * group_h + group_gap / 2
        row_labels.append(
            Text(
                _r(plot.left - 12),
                _r(group_top + bar_h + bar_gap / 2 + 4),
                truncate(item.label, 36),
                "end",
                "row-label",
            )
        )
        for offset, series, value, text in (
            (0, "lowest", item.lowest, item.lowest_text),
            (1, "basis", item.basis, item.basis_text),
        ):
            y = _r(group_top + offset * (bar_h + bar_gap))
            shown = text or ("no margin" if value is None else percent_label(value))
            title = f"{item.label}, {lowest_legend if series == 'lowest' else basis_legend}: {shown}"
            if value is None:
                bars.append(
                    Bar(
                        zero_x,
                        y,
                        0.0,
                        bar_h,
                        None,
                        series,
                        "none",
                        Text(_r(zero_x + 4), _r(y + bar_h - 2), shown, css="value muted"),
                        title,
                    )
                )
                continue
            held, clamped = scale.clamp(value)
            end = scale(held)
            x, w = (zero_x, end - zero_x) if held >= 0 else (end, zero_x - end)
            marker = ""
            if clamped:
                tip, back = _r(x - 7), _r(x)
                marker = f"{back},{y} {tip},{_r(y + bar_h / 2)} {back},{_r(y + bar_h)}"
                shown = f"{shown} (off scale)"
            label_x = end + 4 if held >= 0 else zero_x + 4
            bars.append(
                Bar(
                    _r(x),
                    y,
                    _r(w),
                    bar_h,
                    value,
                    series,
                    margin_tone(value, target),
                    Text(_r(label_x), _r(y + bar_h - 2), shown, css="value"),
                    title,
                    clamped,
                    marker,
                )
            )
    ticks = _x_ticks(scale, tick_values(lo, hi, step), plot, lambda v: percent_label(v, 0))
    target_x = scale(min(max(target, lo), hi))
    lines = (
        RefLine(
            target_x,
            _r(plot.top - 6),
            target_x,
            plot.bottom,
            "target",
            Text(target_x, _r(plot.top - 10), f"target {percent_label(target)}", "middle", "ref-label"),
        ),
    )
    legend = legend_row(
        (
            ("rect", "lowest fine", lowest_legend),
            ("rect", "basis fine", basis_legend),
            ("rect", "basis loss", "loss"),
            ("rect", "basis below", "below target"),
            ("rect", "basis fine", "at or above target"),
            ("line", "target", "target margin"),
        ),
        x=12.0,
        y=14,
        right=plot.right,
    )
    axis_label = Text(
        _r((plot.left + plot.right) / 2),
        _r(plot.bottom + 36),
        "gross margin = (revenue − cost) / revenue, at the cost band's high end",
        "middle",
        "axis-label",
    )
    notes = ()
    if floor > lo - 1e-9 and any(v < floor for v in values):
        notes = (
            Text(plot.left, _r(plot.bottom + 36), f"◀ below {percent_label(floor, 0)}: off scale", "start", "note"),
        )
    return BarChart(
        "Gross margin per model and variant",
        width,
        _r(plot.bottom + 48),
        plot,
        zero_x,
        ticks,
        tuple(bars),
        tuple(row_labels),
        lines,
        axis_label,
        legend,
        notes,
    )


@dataclass(frozen=True, slots=True)
class OfferItem:
    """A pack or plan: what one of its credits earns in the reporting currency (None: no exchange rate)."""

    label: str
    value: float | None
    value_text: str
    muted: bool = False  # inactive or free: shown, not counted


def revenue_chart(
    items: Sequence[OfferItem],
    *,
    references: Sequence[tuple[str, float | None, str]],
    currency: str,
    width: float = 1180,
) -> BarChart:
    """Revenue per credit of each offer as horizontal bars, with a vertical line for each
    (name, value, text) reference figure: lowest, mean, basis."""
    refs = [(name, value, text) for name, value, text in references if value is not None]
    left, right_pad = 250.0, 110.0
    top = 22.0 + 14.0 * max(len(refs), 1)
    bar_h, gap = 14.0, 8.0
    values = [item.value for item in items if item.value is not None] + [value for _, value, _ in refs]
    highest = max(values, default=0.0)
    step = nice_step(highest * 1.05 or 1.0, 6)
    hi = max(step, math.ceil(highest * 1.05 / step - 1e-9) * step)
    plot = Plot(left, top, width - right_pad, _r(top + max(len(items), 1) * (bar_h + gap)))
    scale = Scale(0.0, hi, plot.left, plot.right)
    bars, row_labels = [], []
    for index, item in enumerate(items):
        y = _r(plot.top + index * (bar_h + gap) + gap / 2)
        row_labels.append(
            Text(
                _r(plot.left - 12),
                _r(y + bar_h - 3),
                truncate(item.label, 38),
                "end",
                "row-label muted" if item.muted else "row-label",
            )
        )
        if item.value is None:
            bars.append(
                Bar(
                    plot.left,
                    y,
                    0.0,
                    bar_h,
                    None,
                    "offer",
                    "none",
                    Text(_r(plot.left + 4), _r(y + bar_h - 3), item.value_text, css="value muted"),
                    f"{item.label}: {item.value_text}",
                )
            )
            continue
        end = scale(min(item.value, hi))
        bars.append(
            Bar(
                plot.left,
                y,
                _r(end - plot.left),
                bar_h,
                item.value,
                "offer",
                "muted" if item.muted else "offer",
                Text(_r(end + 4), _r(y + bar_h - 3), item.value_text, css="value"),
                f"{item.label}: {item.value_text}",
            )
        )
    places = step_places(step)
    ticks = _x_ticks(scale, tick_values(0.0, hi, step), plot, lambda v: number_label(v, places))
    lines = []
    # Labels stacked one row each above the plot, so close figures never overlap.
    for row, (name, value, text) in enumerate(sorted(refs, key=lambda ref: ref[1])):
        x = scale(min(value, hi))
        label_y = _r(16 + 14 * row)
        anchor, label_x = ("end", _r(x - 4)) if x > plot.right - 160 else ("start", _r(x + 4))
        lines.append(
            RefLine(
                x,
                _r(label_y + 3),
                x,
                plot.bottom,
                f"ref {name}",
                Text(label_x, label_y, f"{name} {text}", anchor, f"ref-label {name}"),
            )
        )
    axis_label = Text(
        _r((plot.left + plot.right) / 2),
        _r(plot.bottom + 36),
        f"revenue per credit ({currency}) = price / credits granted",
        "middle",
        "axis-label",
    )
    return BarChart(
        "Revenue per credit by offer",
        width,
        _r(plot.bottom + 48),
        plot,
        plot.left,
        ticks,
        tuple(bars),
        tuple(row_labels),
        tuple(lines),
        axis_label,
        (),
    )


@dataclass(frozen=True, slots=True)
class Series:
    css: str
    points: str  # SVG polyline points: "x,y x,y …"
    legend: str


@dataclass(frozen=True, slots=True)
class Marker:
    x: float
    y: float
    css: str
    labels: tuple[Text, ...]
    title: str


@dataclass(frozen=True, slots=True)
class LineChart:
    title: str
    width: float
    height: float
    plot: Plot
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    zero_y: float
    series: tuple[Series, ...]
    lines: tuple[RefLine, ...]
    markers: tuple[Marker, ...]
    x_label: Text
    y_label: Text
    legend: tuple[LegendItem, ...]


def clip_polyline(points: Sequence[tuple[float, float]], lo: float, hi: float) -> list[tuple[float, float]]:
    """The points of a line held between y = lo and y = hi: a segment leaving the band
    ends where it crosses the edge; points outside it are dropped."""
    clipped: list[tuple[float, float]] = []
    for index, (x, y) in enumerate(points):
        if index:
            px, py = points[index - 1]
            for edge in (lo, hi):
                if (py - edge) * (y - edge) < 0:
                    cx = px + (edge - py) / (y - py) * (x - px)
                    clipped.append((cx, edge))
        if lo <= y <= hi:
            clipped.append((x, y))
    return clipped


def plan_chart(
    *,
    title: str,
    without_overage: Sequence[tuple[float, float]],
    with_overage: Sequence[tuple[float, float]] = (),
    included: float,
    included_text: str,
    break_even: float | None,
    break_even_text: str,
    break_even_note: str = "",
    target: float,
    x_label: str,
    with_overage_legend: str = "with overage",
    floor: float = -1.0,
    width: float = 600,
    height: float = 320,
) -> LineChart:
    """A plan's gross margin (y) against the credits a user consumes in a month (x):
    without overage, and with it; the included credits and the break-even marked."""
    plot = Plot(64.0, 54.0, width - 24.0, height - 58.0)
    x_hi_seen = max([x for x, _ in (*without_overage, *with_overage)] + [included, 1.0])
    x_step = nice_step(x_hi_seen, 6)
    x_hi = math.ceil(x_hi_seen / x_step - 1e-9) * x_step
    ys = [y for _, y in (*without_overage, *with_overage)]
    y_step = 0.25
    lowest_seen = min([0.0, *ys])
    y_lo = max(floor, math.floor(lowest_seen / y_step - 1e-9) * y_step) if lowest_seen < 0 else 0.0
    x_scale = Scale(0.0, x_hi, plot.left, plot.right)
    y_scale = Scale(y_lo, 1.0, plot.bottom, plot.top)

    def points(line: Sequence[tuple[float, float]]) -> str:
        return " ".join(f"{x_scale(x)},{y_scale(y)}" for x, y in clip_polyline(line, y_lo, 1.0))

    series = [Series("without-overage", points(without_overage), "margin without overage")]
    legend_entries = [("line", "without-overage", "margin without overage")]
    if with_overage:
        series.append(Series("with-overage", points(with_overage), with_overage_legend))
        legend_entries.append(("line", "with-overage", with_overage_legend))
    legend_entries += [("line", "included", "included credits"), ("dot", "break-even", "break-even")]
    zero_y = y_scale(0.0)
    lines = [
        RefLine(
            plot.left,
            y_scale(target),
            plot.right,
            y_scale(target),
            "target",
            Text(_r(plot.right - 2), _r(y_scale(target) - 4), f"target {percent_label(target)}", "end", "ref-label"),
        )
    ]
    inc_x = x_scale(min(included, x_hi))
    lines.append(
        RefLine(
            inc_x,
            plot.top,
            inc_x,
            plot.bottom,
            "included",
            Text(_r(inc_x + 4), _r(plot.top + 12), included_text, "start", "ref-label included"),
        )
    )
    markers = []
    if break_even is not None and 0 <= break_even <= x_hi:
        be_x = x_scale(break_even)
        lines.append(RefLine(be_x, zero_y, be_x, plot.bottom, "break-even"))
        texts = [text for text in (break_even_text, break_even_note) if text]
        widest = max(text_width(text) for text in texts)
        # The margin line falls through the marker: below zero on its left and
        # above zero on its right are clear of it.
        if be_x - 8 - widest >= plot.left:
            anchor, label_x, first_y = "end", _r(be_x - 8), _r(zero_y + 16)
        else:
            anchor, label_x, first_y = "start", _r(be_x + 8), _r(zero_y - 8 - 13 * (len(texts) - 1))
        labels = tuple(
            Text(label_x, _r(first_y + 13 * n), text, anchor, "marker-label" if n == 0 else "marker-note")
            for n, text in enumerate(texts)
        )
        markers.append(Marker(be_x, zero_y, "break-even", labels, " ".join(texts)))
    x_ticks = _x_ticks(x_scale, tick_values(0.0, x_hi, x_step), plot, lambda v: number_label(v, step_places(x_step)))
    y_ticks = tuple(
        Tick(y_scale(v), Text(_r(plot.left - 6), _r(y_scale(v) + 4), percent_label(v, 0), "end", "tick"), v)
        for v in tick_values(y_lo, 1.0, y_step)
    )
    return LineChart(
        title=title,
        width=width,
        height=height,
        plot=plot,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        zero_y=zero_y,
        series=tuple(series),
        lines=tuple(lines),
        markers=tuple(markers),
        x_label=Text(_r((plot.left + plot.right) / 2), _r(plot.bottom + 34), x_label, "middle", "axis-label"),
        y_label=Text(14.0, _r((plot.top + plot.bottom) / 2), "gross margin", "middle", "axis-label"),
        legend=legend_row(legend_entries, x=plot.left, y=14, right=plot.right, gap=14),
    )
