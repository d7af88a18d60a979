"""Charts for the dashboards, drawn as inline SVG by templates/includes/chart.html.

A chart is a ``Series`` (``series``): rows of values with their labels
already translated, the columns of its table and CSV, and how it is drawn.
Its figure comes from ``geometry``: where each bar, column and label goes.
"""

from dashboards.charts.geometry import (
    BAR,
    COLUMN_MAX,
    WIDTH,
    ColumnFigure,
    HBarFigure,
    column_layout,
    hbar_layout,
    nice_ticks,
    text_width,
    wrap,
)
from dashboards.charts.series import (
    COLUMNS,
    COUNT,
    DAYS,
    HBAR,
    MONTH,
    PERCENT,
    TEXT,
    Column,
    Series,
    csv_value,
    format_count,
    format_days,
    format_days_long,
    format_month,
    format_percent,
    month_axis,
)

__all__ = [
    "BAR",
    "COLUMNS",
    "COLUMN_MAX",
    "COUNT",
    "DAYS",
    "HBAR",
    "MONTH",
    "PERCENT",
    "TEXT",
    "WIDTH",
    "Column",
    "ColumnFigure",
    "HBarFigure",
    "Series",
    "column_layout",
    "csv_value",
    "format_count",
    "format_days",
    "format_days_long",
    "format_month",
    "format_percent",
    "hbar_layout",
    "month_axis",
    "nice_ticks",
    "text_width",
    "wrap",
]
