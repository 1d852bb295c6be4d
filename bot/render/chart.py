"""The financial trajectory as a PNG (matplotlib, Agg backend), one panel per currency.

matplotlib is imported here, lazily, the first time a chart is drawn: the ack path and `serve`
startup never pay for it. The chart only repeats the report's text, which is complete without it.
"""

from __future__ import annotations

import io
import logging
import threading
from decimal import Decimal
from typing import Any

from bot.i18n import t
from bot.render.report import month_name

logger = logging.getLogger(__name__)
_lock = threading.Lock()  # pyplot's state is global; one chart at a time
MAX_PANELS = 3
PANEL_HEIGHT = 3.8  # inches


def trajectory_png(lang: str, trajectory: Any) -> bytes | None:
    """The PNG bytes, or None when there is nothing to draw or drawing failed (logged)."""
    currencies = trajectory.currencies[:MAX_PANELS]
    if not currencies or not trajectory.points:
        return None
    try:
        with _lock:
            return _draw(lang, trajectory, currencies)
    except Exception:  # a chart must never cost the report its text
        logger.exception("could not draw the trajectory chart")
        return None


def _draw(lang: str, trajectory: Any, currencies: list[str]) -> bytes:
    # Inside the function on purpose: matplotlib is heavy, kept off the ack path (module docstring).
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    points = trajectory.points
    labels = [month_name(lang, p.month) for p in points]
    xs = list(range(len(points)))
    now_index = max((i for i, p in enumerate(points) if p.past), default=0)
    figure = Figure(figsize=(10, PANEL_HEIGHT * len(currencies)), dpi=100)
    for row, currency in enumerate(currencies, start=1):
        axes = figure.add_subplot(len(currencies), 1, row)
        values = [float(p.amounts.get(currency, Decimal(0))) for p in points]
        before = [float(p.year_before.get(currency, Decimal(0))) for p in points]
        axes.plot(xs[:now_index + 1], values[:now_index + 1], color="#1f4e79", linewidth=2.2, marker="o",
                  markersize=3, label=t(lang, "rep_chart_title"))
        axes.plot(xs[now_index:], values[now_index:], color="#1f4e79", linewidth=2.2, linestyle="--", marker="o",
                  markersize=3)
        axes.plot(xs, before, color="#9e9e9e", linewidth=1.5, linestyle=":", label=t(lang, "rep_chart_year_before"))
        axes.axvline(now_index, color="#c0504d", linewidth=1, alpha=0.6, label=t(lang, "rep_chart_now"))
        axes.set_title(f"{t(lang, 'rep_chart_title')} ({currency})", fontsize=11)
        axes.set_xticks(xs)
        axes.set_xticklabels(labels, rotation=60, fontsize=7, ha="right")
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}".replace(",", "\u202f")))
        axes.set_ylim(bottom=0)
        axes.grid(axis="y", alpha=0.3)
        axes.legend(loc="best", fontsize=8)
    height = PANEL_HEIGHT * len(currencies)  # fixed margins (in inches): tight_layout would draw everything twice
    figure.subplots_adjust(left=0.09, right=0.98, top=1 - 0.4 / height, bottom=0.95 / height, hspace=0.6)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
