"""What the dashboards share: the thresholds, months, shares and the rows of counted choices."""

import math
from datetime import date

from django.db.models import Exists
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboards.charts import (
    MONTH,
    Column,
    format_count,
    format_percent,
    month_axis,
)
from marketplace.choices import ApplicationStatus
from matching.selectors import GOOD_MATCH_SCORE, need_has_good_match

MATCHED_WITHIN_DAYS = 7
TOP_MATCHES = 3
NEWEST_UNMET = 5
CHART_ROWS = 12  # bars drawn at most; the table and the CSV have every row
A = ApplicationStatus
DECIDED = [A.ACCEPTED, A.DECLINED]


def percentile(values: list[float], share: float) -> float | None:
    """The value below which ``share`` of ``values`` lie, interpolated between
    the nearest two (as NumPy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def month_rows(starts: list[date], counts: dict[date, dict], key: str) -> list[dict]:
    return [{"label": start, "value": counts.get(start, {}).get(key, 0)} for start in starts]


def month_axis_of(row: dict, index: int) -> list[str]:
    return month_axis(row["label"], first=index == 0)


def counted_text(row: dict) -> str:
    """“12 (40%)”: a count and its share of the whole."""
    return _("%(count)s (%(share)s)") % {"count": format_count(row["value"]), "share": format_percent(row["share"])}


def tallied_rows(counts: dict[str, int], choices, *, whole: int | None = None) -> list[dict]:
    """Rows of the non-zero counts, largest first, labelled by their choice;
    ``share`` is of ``whole`` (by default, of all counted)."""
    whole = sum(counts.values()) if whole is None else whole
    rows = [
        {"label": str(choices(key).label), "value": number, "share": rate(number, whole)}
        for key, number in counts.items()
        if number
    ]
    return sorted(rows, key=lambda row: -row["value"])


def good_match(**filters) -> Exists:
    """Whether a need (the outer row) has a good match proposed now, among the given capabilities."""
    return need_has_good_match(min_score=GOOD_MATCH_SCORE, **filters)


def month_column() -> Column:
    return Column("label", gettext_lazy("Month"), MONTH)
