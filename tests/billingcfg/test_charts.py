"""The margins dashboard's chart geometry: where a value lands, what its label says."""

from itertools import pairwise

import pytest

from billingcfg.core import charts
from billingcfg.core.charts import MarginItem, OfferItem, Scale


def _points(series: charts.Series) -> list[tuple[float, float]]:
    return [tuple(float(n) for n in pair.split(",")) for pair in series.points.split()]


# ---- scales, ticks and labels ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.0, 100.0), (1.0, 600.0), (0.5, 350.0), (0.75, 475.0), (-0.2, 0.0)],
)
def test_scale_maps_the_domain_onto_the_range(value: float, expected: float) -> None:
    """Linear: 0 → left edge, 1 → right edge, and a value outside the domain extrapolates."""
    assert Scale(0.0, 1.0, 100.0, 600.0)(value) == pytest.approx(expected)


def test_scale_maps_the_ends_and_the_middle() -> None:
    scale = Scale(-0.4, 1.0, 250.0, 1100.0)
    assert scale(-0.4) == 250.0
    assert scale(1.0) == 1100.0
    assert scale(0.0) == pytest.approx(250.0 + 0.4 / 1.4 * 850.0, abs=0.05)


def test_a_vertical_scale_runs_upwards() -> None:
    """On screen y grows downwards: a higher margin sits higher, at a smaller y."""
    scale = Scale(-1.0, 1.0, 260.0, 60.0)
    assert scale(1.0) == 60.0
    assert scale(-1.0) == 260.0
    assert scale(0.0) == 160.0


def test_a_scale_needs_a_domain() -> None:
    with pytest.raises(ValueError, match="low to high"):
        Scale(1.0, 1.0, 0.0, 100.0)


def test_clamp_holds_a_value_inside_the_domain_and_says_so() -> None:
    scale = Scale(-1.0, 1.0, 0.0, 100.0)
    assert scale.clamp(-2.5) == (-1.0, True)
    assert scale.clamp(0.3) == (0.3, False)


@pytest.mark.parametrize(
    ("span", "count", "step"),
    [(1.4, 7, 0.2), (540.0, 6, 100.0), (0.066, 6, 0.02), (3600.0, 6, 1000.0), (10.0, 5, 2.0), (0.0, 5, 1.0)],
)
def test_nice_step_is_one_two_or_five_times_a_power_of_ten(span: float, count: int, step: float) -> None:
    assert charts.nice_step(span, count) == pytest.approx(step)


def test_tick_values_cover_the_domain_on_whole_steps() -> None:
    assert charts.tick_values(-0.4, 1.0, 0.2) == pytest.approx((-0.4, -0.2, 0.0, 0.2, 0.4, 0.6, 0.8, 1.0))
    assert charts.tick_values(0.0, 0.08, 0.02) == pytest.approx((0.0, 0.02, 0.04, 0.06, 0.08))


@pytest.mark.parametrize(
    ("fraction", "places", "text"),
    [(0.8, 1, "80.0%"), (-0.397, 1, "−39.7%"), (-0.00001, 1, "0.0%"), (-0.4, 0, "−40%"), (4.0, 1, "400.0%")],
)
def test_percent_label(fraction: float, places: int, text: str) -> None:
    assert charts.percent_label(fraction, places) == text


def test_number_label_groups_thousands_and_uses_a_true_minus() -> None:
    assert charts.number_label(1598.0) == "1,598"
    assert charts.number_label(0.04, 2) == "0.04"
    assert charts.number_label(-1200.0) == "−1,200"


def test_long_labels_are_shortened_with_an_ellipsis() -> None:
    assert charts.truncate("Sora 2", 10) == "Sora 2"
    assert charts.truncate("MiniMax Hailuo-02 · 1080p extra long", 12) == "MiniMax Hai…"


def test_step_places() -> None:
    assert charts.step_places(0.02) == 2
    assert charts.step_places(0.005) == 3
    assert charts.step_places(100.0) == 0


def test_legend_wraps_before_the_right_edge() -> None:
    items = charts.legend_row([("rect", "a", "x" * 40), ("rect", "b", "y" * 40)], x=10.0, y=14.0, right=400.0)
    assert items[0].y == items[1].y - 16
    assert items[1].x == 10.0
    assert items[0].label.text == "x" * 40


# ---- the margin chart --------------------------------------------------------------------

WAN = MarginItem("WAN 2.1 · 720p", lowest=-0.397, basis=0.0)
SORA = MarginItem("Sora 2", lowest=0.721, basis=0.8)


def _bar(chart: charts.BarChart, index: int, series: str) -> charts.Bar:
    return [bar for bar in chart.bars if bar.series == series][index]


def test_positive_margins_run_right_from_zero_and_reach_their_value() -> None:
    chart = charts.margin_chart([SORA], target=0.75)
    bar = _bar(chart, 0, "basis")
    scale = Scale(0.0, 1.0, chart.plot.left, chart.plot.right)
    assert bar.x == chart.zero_x == chart.plot.left  # nothing negative: zero is the left edge
    assert bar.x + bar.width == pytest.approx(scale(0.8), abs=0.15)
    assert bar.tone == "fine"
    assert bar.label.text == "80.0%"
    assert bar.label.x > bar.x + bar.width


def test_negative_margins_run_left_of_zero() -> None:
    chart = charts.margin_chart([WAN, SORA], target=0.75)
    loss = _bar(chart, 0, "lowest")
    assert loss.x < chart.zero_x
    assert loss.x + loss.width == pytest.approx(chart.zero_x, abs=0.15)
    assert loss.tone == "loss"
    assert loss.label.text == "−39.7%"
    assert chart.ticks[0].label.text == "−40%"  # the axis reaches just past the worst margin
    assert _bar(chart, 1, "lowest").x == chart.zero_x


def test_margins_below_the_floor_are_clamped_with_a_marker() -> None:
    chart = charts.margin_chart([MarginItem("Veo 3", lowest=-2.5, basis=-0.5)], target=0.75)
    clamped = _bar(chart, 0, "lowest")
    assert clamped.clamped
    assert clamped.x == chart.plot.left
    assert clamped.marker  # the arrowhead
    assert clamped.label.text == "−250.0% (off scale)"
    assert not _bar(chart, 0, "basis").clamped
    assert chart.ticks[0].label.text == "−100%"
    assert any("off scale" in note.text for note in chart.notes)


def test_the_target_line_is_vertical_at_the_target_and_labelled() -> None:
    chart = charts.margin_chart([WAN, SORA], target=0.75)
    (target,) = chart.lines
    scale = Scale(-0.4, 1.0, chart.plot.left, chart.plot.right)
    assert target.x1 == target.x2 == scale(0.75)
    assert target.y2 == chart.plot.bottom
    assert target.label.text == "target 75.0%"


def test_bars_are_toned_against_the_target() -> None:
    chart = charts.margin_chart([MarginItem("m", lowest=0.6, basis=0.75)], target=0.75)
    assert _bar(chart, 0, "lowest").tone == "below"
    assert _bar(chart, 0, "basis").tone == "fine"


def test_each_item_gets_a_row_label_and_two_bars_below_one_another() -> None:
    chart = charts.margin_chart([WAN, SORA], target=0.75)
    assert [label.text for label in chart.row_labels] == ["WAN 2.1 · 720p", "Sora 2"]
    assert all(label.anchor == "end" and label.x < chart.plot.left for label in chart.row_labels)
    assert _bar(chart, 0, "lowest").y < _bar(chart, 0, "basis").y < _bar(chart, 1, "lowest").y
    assert chart.height > chart.plot.bottom


def test_given_value_texts_are_used_and_missing_margins_say_so() -> None:
    chart = charts.margin_chart([MarginItem("m", lowest=None, basis=0.8, basis_text="80.0%")], target=0.75)
    assert _bar(chart, 0, "lowest").width == 0
    assert _bar(chart, 0, "lowest").label.text == "no margin"
    assert _bar(chart, 0, "basis").label.text == "80.0%"


def test_the_margin_legend_names_both_credit_prices_and_the_target() -> None:
    chart = charts.margin_chart([SORA], target=0.75, lowest_legend="at lowest", basis_legend="at basis")
    labels = [item.label.text for item in chart.legend]
    assert {"at lowest", "at basis", "loss", "below target", "target margin"} <= set(labels)


# ---- the revenue chart -------------------------------------------------------------------

OFFERS = [
    OfferItem("Pack · Starter", 0.06, "0.06 USD"),
    OfferItem("Plan · Agency", 0.03, "0.03 USD"),
    OfferItem("Plan · Coaching", None, "no exchange rate TWD→USD", muted=True),
]
REFERENCES = [("lowest", 0.03, "0.03 USD"), ("mean", 0.045, "0.045 USD"), ("basis", 0.05, "0.05 USD (fixed)")]


def test_offer_bars_are_proportional_to_revenue_per_credit() -> None:
    chart = charts.revenue_chart(OFFERS, references=REFERENCES, currency="USD")
    starter, agency, coaching = chart.bars
    assert starter.x == agency.x == chart.plot.left
    assert starter.width == pytest.approx(2 * agency.width, abs=0.2)
    assert coaching.width == 0
    assert coaching.label.text == "no exchange rate TWD→USD"
    assert chart.row_labels[2].css == "row-label muted"


def test_reference_lines_sit_at_their_figures_with_stacked_labels() -> None:
    chart = charts.revenue_chart(OFFERS, references=REFERENCES, currency="USD")
    starter = chart.bars[0]
    per_unit = starter.width / 0.06
    for line, value in zip(chart.lines, (0.03, 0.045, 0.05), strict=True):
        assert line.x1 == line.x2 == pytest.approx(chart.plot.left + value * per_unit, abs=0.2)
    assert [line.label.text for line in chart.lines] == ["lowest 0.03 USD", "mean 0.045 USD", "basis 0.05 USD (fixed)"]
    assert len({line.label.y for line in chart.lines}) == 3  # close figures never overlap
    assert all(line.label.y < chart.plot.top for line in chart.lines)


def test_a_missing_reference_figure_draws_no_line() -> None:
    chart = charts.revenue_chart(OFFERS, references=[("lowest", None, "—")], currency="USD")
    assert chart.lines == ()


# ---- the plan chart ----------------------------------------------------------------------


def _coach_basic(**overrides) -> charts.LineChart:
    """Seed 002's 100 TWD plan: 180 credits, 0.3129 TWD of cost per credit, overage 0.80."""
    price, cost, included, overage = 100.0, 0.31288, 180.0, 0.8
    credits = [n * 540.0 / 12 for n in range(13)]
    without = [(c, (price - cost * c) / price) for c in credits]
    with_overage = [
        (c, (price + max(c - included, 0) * overage - cost * c) / (price + max(c - included, 0) * overage))
        for c in credits
    ]
    arguments = dict(
        title="Coaching Basic",
        without_overage=without,
        with_overage=with_overage,
        included=included,
        included_text="180 credits included",
        break_even=price / cost,
        break_even_text="break-even ≈ 320 credits",
        break_even_note="= 5.33 session hours a month",
        target=0.75,
        x_label="credits used in a month",
    )
    return charts.plan_chart(**{**arguments, **overrides})


def test_plan_chart_marks_break_even_on_the_zero_line() -> None:
    chart = _coach_basic()
    (marker,) = chart.markers
    x_scale = Scale(0.0, 600.0, chart.plot.left, chart.plot.right)
    assert marker.x == pytest.approx(x_scale(319.61), abs=0.2)
    assert marker.y == chart.zero_y
    assert [label.text for label in marker.labels] == ["break-even ≈ 320 credits", "= 5.33 session hours a month"]
    break_even_line = next(line for line in chart.lines if line.css == "break-even")
    assert break_even_line.x1 == marker.x


def test_plan_chart_marks_the_included_credits_and_the_target() -> None:
    chart = _coach_basic()
    included = next(line for line in chart.lines if line.css == "included")
    target = next(line for line in chart.lines if line.css == "target")
    x_scale = Scale(0.0, 600.0, chart.plot.left, chart.plot.right)
    assert included.x1 == included.x2 == x_scale(180.0)
    assert included.label.text == "180 credits included"
    assert target.y1 == target.y2 < chart.zero_y
    assert target.label.text == "target 75.0%"


def test_plan_chart_lines_fall_with_usage_and_overage_lifts_them() -> None:
    chart = _coach_basic()
    without, with_overage = chart.series
    points = _points(without)
    assert points[0] == (chart.plot.left, chart.y_ticks[-1].at)  # 100% at no usage
    assert all(later[1] > earlier[1] for earlier, later in pairwise(points))  # falls: y grows down
    assert _points(with_overage)[-1][1] < points[-1][1]  # higher margin at heavy usage
    assert [item.label.text for item in chart.legend][:2] == ["margin without overage", "with overage"]


def test_plan_chart_without_overage_or_break_even() -> None:
    chart = _coach_basic(with_overage=(), break_even=None)
    assert len(chart.series) == 1
    assert chart.markers == ()
    assert all(line.css != "break-even" for line in chart.lines)


def test_plan_chart_axes_are_labelled() -> None:
    chart = _coach_basic()
    assert chart.x_label.text == "credits used in a month"
    assert chart.y_label.text == "gross margin"
    assert [tick.label.text for tick in chart.x_ticks] == ["0", "100", "200", "300", "400", "500", "600"]
    assert chart.y_ticks[-1].label.text == "100%"
    assert chart.y_ticks[0].label.text == "−75%"


def test_clip_polyline_stops_a_line_where_it_leaves_the_band() -> None:
    clipped = charts.clip_polyline([(0.0, 1.0), (100.0, 0.0), (300.0, -2.0)], -1.0, 1.0)
    assert clipped == [(0.0, 1.0), (100.0, 0.0), (200.0, -1.0)]


def test_plan_chart_clips_margins_below_the_floor() -> None:
    chart = _coach_basic(without_overage=[(0.0, 1.0), (100.0, 0.0), (300.0, -2.0)], with_overage=())
    y_floor = chart.y_ticks[0]
    assert y_floor.label.text == "−100%"
    assert _points(chart.series[0])[-1][1] == y_floor.at
