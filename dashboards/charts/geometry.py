"""Where a chart's marks go: plain arithmetic in CSS pixels, laid out at the
chart's narrowest width, ``WIDTH``. The SVG has no viewBox, so its text keeps
its size on every screen: the template draws positions across as percentages
of that width, which stretch to a wider box (labels then have room to spare),
and the box scrolls sideways when narrower. No Django here, and nothing is
measured in a browser: text widths are estimated (a CJK character is one em,
a Latin letter a little over half of one), generously, so that labels fit.
"""

import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

WIDTH = 300  # px: the chart box on a 360 px phone (.chart-svg's min-width in tandem.css)
FONT = 14
LINE = 18  # baseline to baseline
BAR = 16  # a horizontal bar's thickness
ROW_GAP = 14
MAX_LABEL_LINES = 2
COLUMNS_HEIGHT = 220
COLUMN_SHARE = 0.7  # of its slot a column fills
COLUMN_MAX = 56
ELLIPSIS = "…"
BOLD = 1.1  # values are set in bold, about a tenth wider


# --- text ---------------------------------------------------------------------


def char_width(char: str, size: float = FONT) -> float:
    """Sized for wide sans-serif fonts (DejaVu Sans, Noto Sans): narrower ones only leave more room."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return size
    if char == " ":
        return 0.34 * size
    if char in ".,:;'|!iljft()":
        return 0.38 * size
    if char.isupper() or char in "mw":
        return 0.74 * size
    if char.isdigit():
        return 0.64 * size
    return 0.6 * size


def text_width(text: str, size: float = FONT, *, bold: bool = False) -> float:
    """An estimate, on the wide side, of the width ``text`` takes in system-ui."""
    return sum(char_width(char, size) for char in text) * (BOLD if bold else 1)


def _pieces(text: str) -> list[str]:
    """Where a line may break: after each space, and around each wide (CJK) character."""
    pieces, current = [], ""
    for char in text:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            if current:
                pieces.append(current)
            pieces.append(char)
            current = ""
        else:
            current += char
            if char == " ":
                pieces.append(current)
                current = ""
    if current:
        pieces.append(current)
    return pieces


def _shorten(text: str, width: float, size: float) -> str:
    """``text`` cut to end in an ellipsis within ``width``."""
    room = width - text_width(ELLIPSIS, size)
    kept = ""
    for char in text:
        if text_width(kept + char, size) > room:
            break
        kept += char
    return kept.rstrip() + ELLIPSIS


def wrap(text: str, width: float, *, size: float = FONT, max_lines: int = MAX_LABEL_LINES) -> list[str]:
    """``text`` in lines no wider than ``width``: broken between words (or
    between CJK characters), a word too long for a line broken inside, and
    what does not fit in ``max_lines`` cut off with an ellipsis."""
    lines, current = [], ""
    for piece in _pieces(" ".join(text.split())):
        if text_width((current + piece).rstrip(), size) <= width:
            current += piece
            continue
        if current.strip():
            lines.append(current.rstrip())
        current = piece.lstrip()
        while text_width(current.rstrip(), size) > width:  # one word wider than the line
            cut = len(current) - 1
            while cut > 1 and text_width(current[:cut], size) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current.strip():
        lines.append(current.rstrip())
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], _shorten(" ".join(lines[max_lines - 1 :]), width, size)]
    return lines or [""]


# --- axes ---------------------------------------------------------------------


def nice_ticks(maximum: float, *, count: int = 5, integer: bool = False) -> list[float]:
    """Axis ticks from 0 to a round number at or above ``maximum``: steps of
    1, 2, 2.5 or 5 times a power of ten (whole numbers only when ``integer``),
    about ``count`` of them. Nothing to show (0 or less) gives 0 and 1."""
    if not maximum or maximum <= 0 or not math.isfinite(maximum):
        return [0, 1]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    multiples = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next(m * magnitude for m in multiples if m * magnitude >= raw * (1 - 1e-9))
    if integer:
        step = max(1, round(step))
    steps = math.ceil(maximum / step - 1e-9)
    ticks = [round(i * step, 10) for i in range(steps + 1)]
    return [int(tick) if float(tick).is_integer() else tick for tick in ticks]


# --- horizontal bars ----------------------------------------------------------


@dataclass(frozen=True)
class TextLine:
    x: float
    y: float
    text: str
    anchor: str = "start"  # SVG text-anchor: start, middle or end


@dataclass(frozen=True)
class PlacedBar:
    """One row: its label lines, its value in words, and its bar(s).
    ``total_width`` is the outer bar of a part-of-a-whole row (``width`` is the part)."""

    lines: list[TextLine]
    values: list[TextLine]
    y: float
    height: float
    width: float
    total_width: float | None
    title: str


@dataclass(frozen=True)
class HBarFigure:
    width: float
    height: float
    bars: list[PlacedBar]
    kind: str = "hbar"


def _bar_length(value: float, scale: float) -> float:
    """A value's length; anything above zero at least 2 units, so it shows."""
    if value <= 0:
        return 0.0
    return round(max(2.0, value * scale), 2)


def hbar_layout(rows: list[tuple[str, float, float | None, str]], *, width: float = WIDTH) -> HBarFigure:
    """Horizontal bars, one per (label, value, total or None, value text) row.
    Each row is its label (wrapped, at most two lines) with the value text
    right-aligned on its first line (or under the label when the value text
    is long), then a bar across the whole width at the largest value. A row
    with a total draws it as an outer bar around the value."""
    largest = max([max(value, total or 0) for _label, value, total, _text in rows], default=0)
    scale = (width - 1) / largest if largest > 0 else 0
    bars, y = [], 0.0
    for label, value, total, value_text in rows:
        value_room = text_width(value_text, bold=True) + 16
        baseline = y + FONT
        if value_room <= width * 0.45:
            lines = wrap(label, width - value_room)
            values = [TextLine(width, baseline, value_text, "end")]
        else:
            lines = wrap(label, width)
            values = [
                TextLine(0, round(baseline + (len(lines) + i) * LINE, 2), line)
                for i, line in enumerate(wrap(value_text, width / BOLD))
            ]
        text_lines = [TextLine(0, round(baseline + i * LINE, 2), line) for i, line in enumerate(lines)]
        last = max(line.y for line in [*text_lines, *values])
        bar_y = round(last + 6, 2)
        bars.append(
            PlacedBar(
                lines=text_lines,
                values=values,
                y=bar_y,
                height=BAR,
                width=_bar_length(value, scale),
                total_width=None if total is None else _bar_length(total, scale),
                title=f"{label}: {value_text}",
            )
        )
        y = bar_y + BAR + ROW_GAP
    return HBarFigure(width=width, height=round(max(y - ROW_GAP + 2, LINE), 2), bars=bars)


# --- columns (months) -----------------------------------------------------------


@dataclass(frozen=True)
class PlacedColumn:
    x: float
    y: float
    width: float
    height: float
    title: str
    value: TextLine | None
    axis: list[TextLine]


@dataclass(frozen=True)
class ColumnFigure:
    width: float
    height: float
    left: float
    right: float
    baseline: float
    ticks: list[TextLine]  # the label of each grid line, at the grid line's height
    columns: list[PlacedColumn]
    kind: str = "columns"


def column_layout(
    points: list[tuple[list[str], float, str, str]],
    *,
    tick_text: Callable[[float], str],
    integer: bool = True,
    domain_max: float | None = None,
    width: float = WIDTH,
    height: float = COLUMNS_HEIGHT,
) -> ColumnFigure:
    """Columns over an axis of ``points``: (axis label lines, value, value
    text, title). Grid lines at nice ticks (from 0 to ``domain_max`` when
    given, e.g. 1 for shares); each column's value over it where it fits; axis
    labels thinned to every second, third… one when they would overlap,
    always keeping the last (this month)."""
    largest = max([value for _axis, value, _text, _title in points], default=0)
    ticks = nice_ticks(domain_max or largest, integer=integer)
    tick_labels = [tick_text(tick) for tick in ticks]
    small = FONT - 2
    left = max(text_width(label, small) for label in tick_labels) + 8
    axis_lines = max([len(axis) for axis, *_rest in points], default=1)
    baseline = height - axis_lines * LINE - 6
    top = FONT + 4  # room for a value over the tallest column
    count = max(len(points), 1)
    # The last column is always labelled, its label centred under it: end the
    # axis early enough for that label to stay inside the figure.
    last_label = max([text_width(line, small) for line in points[-1][0]], default=0) if points else 0
    right = min(width, (width - last_label / 2 - left / (2 * count)) / (1 - 1 / (2 * count)))
    slot = (right - left) / count
    column_width = min(slot * COLUMN_SHARE, COLUMN_MAX)
    scale = (baseline - top) / ticks[-1]
    widest = max([text_width(line, small) for axis, *_rest in points for line in axis], default=0)
    step = max(1, math.ceil((widest + 6) / slot))
    values_fit = all(text_width(text, small, bold=True) <= slot - 2 for _axis, _value, text, _title in points)
    columns = []
    for index, (axis, value, value_text, title) in enumerate(points):
        centre = left + slot * index + slot / 2
        bar_height = 0.0 if value <= 0 else round(max(2.0, value * scale), 2)
        bar_top = round(baseline - bar_height, 2)
        labelled = (len(points) - 1 - index) % step == 0
        columns.append(
            PlacedColumn(
                x=round(centre - column_width / 2, 2),
                y=bar_top,
                width=round(column_width, 2),
                height=bar_height,
                title=title,
                value=TextLine(round(centre, 2), round(bar_top - 4, 2), value_text, "middle") if values_fit else None,
                axis=[
                    TextLine(round(centre, 2), round(baseline + LINE + i * LINE, 2), line, "middle")
                    for i, line in enumerate(axis)
                ]
                if labelled
                else [],
            )
        )
    return ColumnFigure(
        width=width,
        height=height,
        left=round(left, 2),
        right=round(right, 2),
        baseline=round(baseline, 2),
        ticks=[
            TextLine(round(left - 6, 2), round(baseline - tick * scale, 2), label, "end")
            for tick, label in zip(ticks, tick_labels, strict=True)
        ],
        columns=columns,
    )
