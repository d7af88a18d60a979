"""Chart geometry: axis ticks, bar and column lengths, labels that fit, and
the zero, one-value and empty cases (dashboards/charts/)."""

import re
from datetime import date
from itertools import pairwise

import pytest
from django.conf import settings
from django.utils import translation

from dashboards.charts import (
    BAR,
    COLUMN_MAX,
    COLUMNS,
    COUNT,
    HBAR,
    MONTH,
    PERCENT,
    WIDTH,
    Column,
    Series,
    column_layout,
    csv_value,
    format_percent,
    hbar_layout,
    month_axis,
    nice_ticks,
    text_width,
    wrap,
)
from marketplace.templatetags.marketplace_tags import percent_of


@pytest.mark.parametrize(
    ("maximum", "integer", "expected"),
    [
        (0, True, [0, 1]),
        (-3, True, [0, 1]),
        (1, True, [0, 1]),
        (3, True, [0, 1, 2, 3]),
        (7, True, [0, 2, 4, 6, 8]),
        (10, True, [0, 2, 4, 6, 8, 10]),
        (12345, True, [0, 5000, 10000, 15000]),
        (1, False, [0, 0.2, 0.4, 0.6, 0.8, 1]),
        (0.73, False, [0, 0.2, 0.4, 0.6, 0.8]),
        (11, False, [0, 2.5, 5, 7.5, 10, 12.5]),
    ],
)
def test_ticks_are_round_numbers_from_zero_past_the_maximum(maximum, integer, expected):
    assert nice_ticks(maximum, integer=integer) == expected


@pytest.mark.parametrize("maximum", [1, 2, 3, 9, 17, 99, 101, 4567, 0.05, 0.999])
def test_ticks_cover_the_maximum_in_equal_steps(maximum):
    ticks = nice_ticks(maximum)

    steps = {round(b - a, 9) for a, b in pairwise(ticks)}
    assert ticks[0] == 0 and ticks[-1] >= maximum
    assert len(steps) == 1
    assert 3 <= len(ticks) <= 7


def test_a_short_label_stays_on_one_line():
    assert wrap("Accepted", 200) == ["Accepted"]


def test_a_long_label_breaks_between_words_and_each_line_fits():
    label = "Information transmission, software and IT services"

    lines = wrap(label, 150)

    assert len(lines) == 2
    assert all(text_width(line) <= 150 for line in lines)
    assert " ".join(lines).replace("…", "") in label or lines[-1].endswith("…")
    assert lines[0] == "Information"


def test_chinese_breaks_between_characters():
    lines = wrap("农、林、牧、渔业数据服务平台", 5 * 14)

    assert lines[0] == "农、林、牧、"[:5]
    assert all(text_width(line) <= 5 * 14 for line in lines)


def test_what_does_not_fit_in_two_lines_ends_with_an_ellipsis():
    lines = wrap("word " * 40, 100)

    assert len(lines) == 2
    assert lines[-1].endswith("…")
    assert all(text_width(line) <= 100 for line in lines)


def test_a_word_longer_than_the_line_is_broken_inside():
    lines = wrap("Supercalifragilisticexpialidocious", 80, max_lines=5)

    assert "".join(lines) == "Supercalifragilisticexpialidocious"
    assert all(text_width(line) <= 80 for line in lines)


def test_bars_are_in_proportion_to_the_largest_value():
    figure = hbar_layout([("A", 10, None, "10"), ("B", 5, None, "5"), ("C", 0, None, "0")])

    widths = [bar.width for bar in figure.bars]
    assert widths[0] == pytest.approx(WIDTH - 1)
    assert widths[1] == pytest.approx((WIDTH - 1) / 2)
    assert widths[2] == 0


def test_a_tiny_value_still_shows_and_zero_draws_nothing():
    figure = hbar_layout([("big", 10000, None, "10,000"), ("tiny", 1, None, "1"), ("none", 0, None, "0")])

    assert figure.bars[1].width >= 2
    assert figure.bars[2].width == 0


def test_all_zeros_draw_no_bars_and_no_division_by_zero():
    figure = hbar_layout([("A", 0, None, "0"), ("B", 0, 0, "0 of 0")])

    assert [bar.width for bar in figure.bars] == [0, 0]
    assert figure.bars[1].total_width == 0


def test_a_part_of_a_whole_draws_the_whole_around_it():
    figure = hbar_layout([("A", 2, 8, "2 of 8"), ("B", 4, 4, "4 of 4")])

    first, second = figure.bars
    assert first.total_width == pytest.approx(WIDTH - 1)
    assert first.width == pytest.approx((WIDTH - 1) / 4)
    assert second.width == second.total_width == pytest.approx((WIDTH - 1) / 2)


def test_rows_follow_each_other_without_overlapping_and_the_figure_holds_them():
    figure = hbar_layout(
        [
            ("Agriculture, forestry, animal husbandry and fishery, and a bit more", 3, None, "3 (50%)"),
            ("B", 2, None, "2 (33%)"),
            ("C", 1, None, "1 (17%)"),
        ]
    )

    for above, below in pairwise(figure.bars):
        assert min(line.y for line in below.lines) - 14 >= above.y + BAR
    assert figure.height >= figure.bars[-1].y + BAR


def test_the_value_sits_right_of_the_label_or_under_it_when_long():
    short, long = hbar_layout(
        [("Platform", 1, None, "3 (10%)"), ("Platform", 1, 2, "median 12.5 days · 9 in 10 within 30.0 days")]
    ).bars

    assert short.values[0].anchor == "end" and short.values[0].x == WIDTH
    assert short.values[0].y == short.lines[0].y
    assert long.values[0].anchor == "start" and long.values[0].y > long.lines[-1].y
    assert long.y > long.values[-1].y
    label_end = max(text_width(line.text) for line in short.lines)
    assert label_end <= WIDTH - text_width(short.values[0].text)


def test_columns_rise_in_proportion_on_a_zero_baseline():
    points = [([f"M{i}"], value, str(value), f"M{i}: {value}") for i, value in enumerate([0, 5, 10])]

    figure = column_layout(points, tick_text=str)

    zero, five, ten = figure.columns
    assert zero.height == 0
    assert ten.height == pytest.approx(2 * five.height)
    assert ten.y + ten.height == pytest.approx(figure.baseline)
    assert [tick.text for tick in figure.ticks] == ["0", "2", "4", "6", "8", "10"]
    assert figure.ticks[-1].y == pytest.approx(ten.y)


def test_one_value_is_one_column_of_reasonable_width():
    figure = column_layout([(["Nov"], 3, "3", "Nov: 3")], tick_text=str)

    (column,) = figure.columns
    assert column.width <= COLUMN_MAX
    assert column.x > figure.left
    assert column.height > 0


def test_all_zero_columns_keep_an_axis():
    figure = column_layout([(["a"], 0, "0", "a"), (["b"], 0, "0", "b")], tick_text=str)

    assert [tick.text for tick in figure.ticks] == ["0", "1"]
    assert all(column.height == 0 for column in figure.columns)


def test_shares_use_a_zero_to_one_axis():
    figure = column_layout([(["a"], 0.25, "25%", "a")], tick_text=format_percent, integer=False, domain_max=1)

    assert figure.ticks[-1].text == "100%"
    assert figure.columns[0].height == pytest.approx((figure.baseline - figure.ticks[-1].y) / 4)


def test_axis_labels_that_would_overlap_are_thinned_keeping_the_last():
    points = [([f"Month number {i}"], i, str(i), "") for i in range(12)]

    figure = column_layout(points, tick_text=str)

    labelled = [index for index, column in enumerate(figure.columns) if column.axis]
    assert 11 in labelled
    assert len(labelled) < 12
    gaps = {b - a for a, b in pairwise(labelled)}
    assert len(gaps) == 1


def test_month_labels_show_the_year_on_the_first_column_and_in_january():
    with translation.override("en"):
        assert month_axis(date(2026, 3, 1), first=True) == ["Mar", "2026"]
        assert month_axis(date(2026, 4, 1), first=False) == ["Apr"]
        assert month_axis(date(2027, 1, 1), first=False) == ["Jan", "2027"]


@pytest.mark.parametrize(("share", "text"), [(0.625, "63%"), (0.5, "50%"), (1, "100%"), (0, "0%"), (None, "–")])
def test_percentages_round_half_up(share, text):
    with translation.override("en"):
        assert format_percent(share) == text


def test_csv_values_are_plain():
    assert csv_value(COUNT, 1234) == 1234
    assert csv_value(PERCENT, 0.625) == "62.5%"
    assert csv_value(MONTH, date(2026, 11, 1)) == "2026-11"
    assert csv_value(PERCENT, None) == ""


def _series(rows, **options):
    return Series(
        slug="s",
        title="T",
        summary="S",
        columns=[Column("label", "Label"), Column("value", "Value", COUNT)],
        rows=rows,
        empty_message="Nothing yet.",
        chart=options.pop("chart", HBAR),
        **options,
    )


@pytest.mark.parametrize("rows", [[], [{"label": "a", "value": 0}, {"label": "b", "value": 0}]])
def test_no_rows_or_only_zeros_is_empty_and_draws_nothing(rows):
    series = _series(rows)

    assert series.is_empty
    assert series.figure is None


def test_a_row_with_data_elsewhere_is_not_empty():
    series = _series([{"label": "a", "value": None, "needs": 3}], presence="needs", chart=COLUMNS)

    assert not series.is_empty


def test_the_chart_draws_the_first_rows_and_the_table_has_them_all():
    rows = [{"label": f"row {i}", "value": 20 - i} for i in range(20)]
    series = _series(rows, chart_limit=5)

    with translation.override("en"):
        assert len(series.figure.bars) == 5
        assert len(series.table) == 20
        assert series.table[0][1] == {"text": "20", "link": "", "numeric": True}
        assert "row 0: 20" in series.description


def test_the_last_axis_label_stays_inside_the_figure():
    points = [([f"M{i}"], i, str(i), "") for i in range(11)] + [(["September"], 11, "11", "")]

    figure = column_layout(points, tick_text=str)

    last = figure.columns[-1].axis[0]
    assert last.anchor == "middle"
    assert last.x + text_width(last.text, 12) / 2 <= figure.width
    assert figure.columns[-1].x + figure.columns[-1].width <= figure.right <= figure.width


def test_the_svg_is_never_squeezed_below_the_width_it_is_laid_out_at():
    """Its text is in CSS pixels: narrower than WIDTH, labels would overlap."""
    css = (settings.BASE_DIR / "static" / "css" / "tandem.css").read_text(encoding="utf-8")

    rule = re.search(r"^\.chart-svg \{[^}]*\}", css, re.MULTILINE).group(0)
    assert f"min-width: {WIDTH}px" in rule


@pytest.mark.parametrize(("value", "whole", "text"), [(0, 300, "0%"), (300, 300, "100%"), (100, 300, "33.333%")])
def test_positions_across_are_drawn_as_percentages(value, whole, text):
    assert percent_of(value, whole) == text
