"""What a chart shows: a ``Series`` (its rows, their columns in the table
and the CSV, how they are drawn) and the values as people read them, in
their language."""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.functional import Promise, cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from dashboards.charts.geometry import ColumnFigure, HBarFigure, column_layout, hbar_layout

# --- values as people read them ------------------------------------------------

COUNT, PERCENT, DAYS, TEXT, MONTH = "count", "percent", "days", "text", "month"
HBAR, COLUMNS = "hbar", "columns"


def format_count(value) -> str:
    return number_format(value, 0, force_grouping=True)


def format_percent(share: float | None) -> str:
    """A share (0–1) as a percentage in the reader's language; none is a dash."""
    if share is None:
        return "–"
    return _("%(number)s%%") % {"number": number_format(math.floor(share * 100 + 0.5), 0, force_grouping=True)}


def format_days(days: float | None) -> str:
    if days is None:
        return "–"
    return number_format(round(days, 1), 1, force_grouping=True)


def format_days_long(days: float) -> str:
    """“3.5 days”: the number of days with its unit."""
    rounded = round(days, 1)
    return ngettext("%(days)s day", "%(days)s days", 1 if rounded == 1 else 2) % {"days": format_days(rounded)}


def format_month(month: date) -> str:
    return date_format(month, "MONTH_YEAR_FORMAT")


def month_axis(month: date, *, first: bool) -> list[str]:
    """A month's label under its column: the short month, and the year on the
    first column and under each January."""
    # Translators: a date format (PHP-style letters, as in Django's date filter)
    # for a month under a chart's column, e.g. "M" gives "Nov"; Chinese "n月" gives "11月".
    short = date_format(month, pgettext("chart axis month format", "M"))
    return [short, str(month.year)] if first or month.month == 1 else [short]


FORMATTERS: dict[str, Callable[[Any], str]] = {
    COUNT: format_count,
    PERCENT: format_percent,
    DAYS: format_days,
    MONTH: format_month,
    TEXT: str,
}


def csv_value(kind: str, value):
    """A cell as a spreadsheet reads it: plain numbers, percentages with a
    % sign (Excel reads them as numbers), months as YYYY-MM."""
    if value is None:
        return ""
    if kind == COUNT:
        return int(value)
    if kind == PERCENT:
        return f"{value * 100:.1f}%"
    if kind == DAYS:
        return f"{value:.1f}"
    if kind == MONTH:
        return value.strftime("%Y-%m")
    return str(value)


# --- a chart's data -------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of a chart's table and CSV: the row key it shows, its heading
    and how its values read (``COUNT``, ``PERCENT``, ``DAYS``, ``MONTH``,
    ``TEXT``); ``link`` names the row key holding a URL for the cell."""

    key: str
    label: str | Promise  # a lazy translation, read in the language of each request
    kind: str = TEXT
    link: str = ""


@dataclass
class Series:
    """One chart: its title and one-line summary, the rows behind it, and how
    they are drawn. ``chart`` is HBAR (``value`` per row, inside ``total`` when
    given), COLUMNS (``value`` per row, e.g. per month) or "" (no drawing,
    the template shows the rows its own way). ``value_text`` says what a row's
    number means in words; ``legend`` names the two bars of part-of-a-whole
    rows. ``chart_limit`` draws the first rows only; the table has them all.
    ``rows`` hold raw values (numbers, shares 0–1, dates for months) under the
    keys ``columns`` name."""

    slug: str
    title: str
    summary: str
    columns: list[Column]
    rows: list[dict]
    empty_message: str
    chart: str = ""
    label: str = "label"
    value: str = "value"
    total: str = ""
    value_kind: str = COUNT
    value_text: Callable[[dict], str] | None = None
    axis: Callable[[dict, int], list[str]] | None = None
    legend: list[tuple[str, str]] = field(default_factory=list)  # (css class, text)
    note: str = ""
    chart_limit: int = 0
    presence: str = ""  # the key that says a row has data, when not the value or the total
    extra: dict = field(default_factory=dict)  # what a dashboard adds: overall figures, groups of rows

    @property
    def is_empty(self) -> bool:
        """No rows, or nothing but zeros (in ``presence``, by default the
        value or the total): the empty-state message instead of a chart."""
        keys = [self.presence] if self.presence else [self.value, self.total]
        return not any(row.get(key) for row in self.rows for key in keys if key)

    def text_of(self, row: dict) -> str:
        return self.value_text(row) if self.value_text else FORMATTERS[self.value_kind](row[self.value])

    @property
    def drawn_rows(self) -> list[dict]:
        return self.rows[: self.chart_limit] if self.chart_limit else self.rows

    @cached_property
    def figure(self) -> HBarFigure | ColumnFigure | None:
        if self.is_empty or not self.chart:
            return None
        rows = self.drawn_rows
        if self.chart == HBAR:
            return hbar_layout(
                [
                    (
                        self._label_text(row),
                        row[self.value] or 0,
                        row[self.total] if self.total else None,
                        self.text_of(row),
                    )
                    for row in rows
                ]
            )
        return column_layout(
            [
                (
                    self.axis(row, index) if self.axis else [self._label_text(row)],
                    row[self.value] or 0,
                    self.text_of(row),
                    f"{self._label_text(row)}: {self.text_of(row)}",
                )
                for index, row in enumerate(rows)
            ],
            tick_text=FORMATTERS[self.value_kind],
            integer=self.value_kind == COUNT,
            domain_max=1 if self.value_kind == PERCENT else None,
        )

    @property
    def description(self) -> str:
        """The chart's numbers in one sentence, for the SVG's <desc>."""
        rows = self.drawn_rows
        parts = [
            _("%(label)s: %(value)s") % {"label": self._label_text(row), "value": self.text_of(row)} for row in rows
        ]
        return "; ".join(parts)

    def _label_text(self, row: dict) -> str:
        value = row[self.label]
        return format_month(value) if isinstance(value, date) else str(value)

    @property
    def table(self) -> list[list[dict]]:
        """The rows as the table shows them: per column its ``text``, ``link`` and whether it is ``numeric``."""
        return [
            [
                {
                    "text": FORMATTERS[column.kind](row[column.key]),
                    "link": row.get(column.link, "") if column.link else "",
                    "numeric": column.kind != TEXT,
                }
                for column in self.columns
            ]
            for row in self.rows
        ]

    def csv_rows(self) -> list[list]:
        """The header and the rows, as ``csv_value`` writes them."""
        return [
            [str(column.label) for column in self.columns],
            *([csv_value(column.kind, row[column.key]) for column in self.columns] for row in self.rows),
        ]
