"""Figures as data: matplotlib figures built from results, rendered to bytes in memory.

Nothing here touches a file: :func:`figure_bytes` renders a figure to PNG/SVG/PDF bytes and
:func:`mechsolve.model.io.write_bytes` writes them. matplotlib is the ``plot`` extra; without it
:func:`require_matplotlib` raises :class:`~mechsolve.errors.Unsupported` with the install hint.

House rules of every figure: both axes labelled (with the unit where there is one), one kind
of quantity per axis, integer ticks for counts, error bars where the data are sampled,
points beyond the computed range drawn at the edge as arrows and named in the legend (never
dropped), and the legend outside the data.
"""

from __future__ import annotations

import io as _io
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import InvalidModel, Unsupported

#: File suffixes matplotlib renders, and the format name it uses.
IMAGE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
#: The paper's Fig. 3 range of α (Chen et al. 2020, Sec. 6.2).
PAPER_ALPHA_RANGE = (-1.0, -0.668)
#: Colour-blind-safe qualitative palette (Paul Tol's "bright").
COLORS = ("#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb")


def require_matplotlib() -> Any:
    """``matplotlib.pyplot`` on the non-interactive Agg back-end, or a clear install hint."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise Unsupported("plotting needs matplotlib (pip install 'mechsolve[plot]')", field="plot") from None
    return plt


def image_format(path: str) -> str:
    """The matplotlib format for an output path (by suffix), or bad input naming the field."""
    suffix = "." + str(path).rpartition(".")[2].lower() if "." in str(path) else ""
    if suffix not in IMAGE_FORMATS:
        raise InvalidModel(f"unknown image type {suffix or '(none)'!r} for {path}; use "
                           f"{', '.join(IMAGE_FORMATS)}", field="plot")
    return IMAGE_FORMATS[suffix]


def figure_bytes(fig: Any, fmt: str = "png", *, dpi: int = 110) -> bytes:
    """Render a matplotlib figure to bytes (and close it); SVG and PDF carry no creation date."""
    plt = require_matplotlib()
    buf = _io.BytesIO()
    meta = {"Date": None} if fmt in ("svg", "pdf") else None
    try:
        # SVG keeps its text as text (searchable, selectable, small); the page's font draws it
        with plt.rc_context({"svg.fonttype": "none"}):
            fig.savefig(buf, format=fmt, dpi=dpi, metadata=meta, bbox_inches="tight")
    finally:
        plt.close(fig)
    return buf.getvalue()


def svg_markup(fig: Any) -> str:
    """The figure as an ``<svg>`` element to put inline in HTML (no XML prolog or DOCTYPE)."""
    text = figure_bytes(fig, "svg").decode("utf-8")
    text = text[text.index("<svg"):]
    return re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)   # RDF boilerplate, no content


def _integer_ticks(axis: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _legend_below(ax: Any, ncol: int | None = None, *, below: float = 0.18, **kw: Any) -> Any:
    """A legend under the axes (never over the data); ``below`` is the gap in axes heights."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    return ax.legend(loc="upper center", bbox_to_anchor=(0.5, -below), frameon=False,
                     ncol=ncol or min(len(handles), 3), fontsize=8, **kw)


# --------------------------------------------------------------------------- the disparity boundary

def _boundary_axes(ax: Any, alphas: Sequence[float], bounds: Sequence[float | None], k_max: int) -> None:
    """Fig. 3 on ``ax``: D/ε against α (log y); α without a failure up to k_max drawn as ↑ at k_max."""
    lo, hi = PAPER_ALPHA_RANGE
    ax.axvspan(lo, hi, color="0.93", zorder=0, label=f"paper's Fig. 3 range (α ≤ {hi})")
    pts = sorted((a, b) for a, b in zip(alphas, bounds) if b is not None)
    if pts:
        ax.plot([a for a, _ in pts], [max(b, 0.5) for _, b in pts], ".-", color=COLORS[0], ms=4, lw=1.2,
                label="largest D/ε with a desirable mechanism", zorder=3)
    open_ = sorted(a for a, b in zip(alphas, bounds) if b is None)
    if open_:
        ax.plot(open_, [k_max] * len(open_), linestyle="none", marker=r"$\uparrow$", ms=12, color=COLORS[1],
                label=f"no failure up to D/ε = {k_max:,} (boundary above, or none)", zorder=4)
        ax.axhline(k_max, color=COLORS[1], lw=0.6, ls=":", zorder=1)
    ax.set_yscale("log")
    top = max([k_max if open_ else 1] + [b for _, b in pts])
    ax.set_ylim(0.5, top * 4)
    ax.set_xlabel("market growth rate α")
    ax.set_ylabel("data disparity D/ε (log scale)")
    ax.grid(True, which="major", axis="y", color="0.88", lw=0.6)


def boundary_figure(results: Sequence[Any]) -> Any:
    """Fig. 3 style plot of :func:`mechsolve.mechanism.boundary.sweep` results."""
    plt = require_matplotlib()
    fig, ax = plt.subplots(figsize=(7, 4.4))
    k_max = max((r.k_max for r in results), default=1)
    _boundary_axes(ax, [r.alpha for r in results], [r.boundary for r in results], k_max)
    ax.set_title("Data-disparity boundary per α (Chen et al. 2020, Sec. 6.2)", fontsize=10)
    _legend_below(ax, ncol=1)
    return fig


# --------------------------------------------------------------------------- Chen et al. Figs. 1-3

def _errorbar(ax: Any, x: np.ndarray, y: np.ndarray, se: np.ndarray | None, label: str, color: str,
              marker: str = "o") -> None:
    if se is None:
        ax.plot(x, y, marker=marker, ms=3.5, lw=1.3, color=color, label=label)
    elif len(x) > 25:   # dense x: a band reads better than a forest of bars
        ax.plot(x, y, lw=1.5, color=color, label=f"{label} (mean; band ± 1 s.e.)")
        ax.fill_between(x, y - se, y + se, color=color, alpha=0.18, lw=0)
    else:
        ax.errorbar(x, y, yerr=se, marker=marker, ms=3.5, lw=1.3, capsize=2.5, elinewidth=0.9, color=color,
                    label=f"{label} (mean ± 1 s.e.)")


def _se(fig: Any, column: str) -> np.ndarray | None:
    name = f"{column} s.e."
    return fig.column(name) if name in fig.columns else None


def reproduce_figure(fig: Any) -> Any:
    """A reproduced figure of Chen et al. (:class:`~mechsolve.mechanism.reproduce.Figure`)."""
    plt = require_matplotlib()
    x = fig.column(fig.x)
    if fig.name == "chen-fig3":
        f, ax = plt.subplots(figsize=(7, 4.4))
        y = fig.column("boundary D/eps")
        _boundary_axes(ax, list(x), [None if math.isnan(v) else v for v in y], int(fig.setup.get("k_max", 1)))
        ax.set_title(fig.title, fontsize=9)
        _legend_below(ax, ncol=1)
        return f
    if fig.name == "chen-fig1":
        f, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6.2), sharex=True,
                                        gridspec_kw={"height_ratios": [3, 2]})
        for k, c in enumerate(("revenue", "welfare")):
            _errorbar(top, x, fig.column(c), _se(fig, c), f"mean {c}", COLORS[k])
        top.set_ylabel("mean over samples\n(valuation units)")
        top.axhline(0, color="0.6", lw=0.6)
        top.legend(loc="upper left", fontsize=8, frameon=False)
        _errorbar(bottom, x, fig.column("best quality"), _se(fig, "best quality"), "mean best model quality",
                  COLORS[2], marker="s")
        bottom.set_ylabel("best model quality\nQ(Σ t_i)")
        bottom.set_xlabel("number of agents n")
        bottom.legend(loc="lower right", fontsize=8, frameon=False)
        _integer_ticks(bottom.xaxis)
        for ax in (top, bottom):
            ax.grid(True, color="0.9", lw=0.6)
        top.set_title(fig.title, fontsize=9)
        f.tight_layout()
        return f
    f, ax = plt.subplots(figsize=(7, 4.6))
    names = {"uti_1": "utility of agent 1 (type fixed)", "uti_2": "utility of agent 2", "revenue": "revenue",
             "welfare": "welfare"}
    for k, c in enumerate(fig.plot_columns):
        _errorbar(ax, x, fig.column(c), _se(fig, c), f"mean {names.get(c, c)}", COLORS[k % len(COLORS)])
    ax.axhline(0, color="0.6", lw=0.6)
    t1 = fig.setup.get("t_1")
    ax.set_xlabel(f"type of agent 2, t_2 (agent 1 fixed at t_1 = {t1:g})" if t1 is not None else fig.x)
    ax.set_ylabel("mean over α samples (valuation units)")
    ax.grid(True, color="0.9", lw=0.6)
    ax.set_title(fig.title, fontsize=9)
    _legend_below(ax, ncol=2)
    return f


# --------------------------------------------------------------------------- synthetic-data rewards

def synthesis_figure(run: Any) -> Any:
    """Achieved vs target value per party, and the value curves during weighted sampling."""
    plt = require_matplotlib()
    sp = run.sampling
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11.5, 4.6))
    names = [r.party for r in sp.rewards]
    x = np.arange(len(names))
    a1.bar(x - 0.2, [r.target for r in sp.rewards], width=0.4, label="target reward r_i", color=COLORS[0])
    a1.bar(x + 0.2, [r.achieved for r in sp.rewards], width=0.4, label="achieved v(D_i ∪ G_i)", color=COLORS[1])
    a1.set_xticks(list(x), names, rotation=30, ha="right")
    a1.set_xlabel("party")
    a1.set_ylabel("MMD value v (unitless, v ≤ 1)")
    a1.set_title("reward value per party")
    _legend_below(a1, ncol=2, below=0.3)
    a1.margins(y=0.12)
    for k, r in enumerate(sp.rewards):
        color = COLORS[k % len(COLORS)]
        a2.plot(range(len(r.trace)), r.trace, label=r.party, color=color, lw=1.3)
        a2.axhline(r.target, ls=":", lw=0.8, color=color)
    a2.set_xlabel("synthetic points drawn")
    a2.set_ylabel("v(D_i ∪ G_i) (dotted: target r_i)")
    _integer_ticks(a2.xaxis)
    a2.set_title(f"value during weighted sampling (β = {sp.beta:g})")
    _legend_below(a2, ncol=min(len(names), 5))
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- market reports

def unit_of(scheme: str, quantity: str) -> str:
    """The unit of a per-player quantity: money in units of c for Ohrimenko's markets, else units of v."""
    if scheme.startswith("ohrimenko") and quantity not in ("shapley", "share"):
        return "money, units of c"
    if quantity in ("lambda", "share", "shares"):
        return "fraction"
    return "units of v"


#: Axis names of per-player quantities that are not plain words.
QUANTITY_NAMES = {"shapley": "Shapley value φ_i", "lambda": "λ_i", "net_gain": "net gain"}


def allocation_figure(names: Sequence[str], panels: Sequence[tuple[str, str, Sequence[float]]],
                      *, zero: float = 1e-12) -> Any:
    """Small multiples: one panel per (scheme, quantity) so each axis carries one quantity.

    A panel whose values are all within ``zero`` (relative to the largest value in any panel)
    is drawn flat with a note, so floating-point noise is not blown up to fill the axis.
    """
    plt = require_matplotlib()
    k = max(len(panels), 1)
    ncol = min(3, k)
    nrow = math.ceil(k / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.3 * ncol, 3.4 * nrow), squeeze=False)
    x = np.arange(len(names))
    short = [n if len(n) <= 14 else n[:13] + "…" for n in names]
    scale = max([1.0] + [abs(float(y)) for _, _, vals in panels for y in vals if math.isfinite(float(y))])
    for idx, (scheme, quantity, values) in enumerate(panels):
        ax = axes[idx // ncol][idx % ncol]
        v = np.array([float(y) for y in values])
        flat = bool(np.all(np.abs(v[np.isfinite(v)]) <= zero * scale))
        if flat:
            v = np.zeros_like(v)
            ax.set_ylim(-1, 1)
            ax.text(0.5, 0.62, f"every value is 0 (|x| ≤ {zero * scale:.0e})", ha="center", va="center",
                    transform=ax.transAxes, fontsize=8, color="0.35")
        ax.set_axisbelow(True)
        ax.bar(x, v, color=[COLORS[1] if y < 0 else COLORS[0] for y in v], width=0.65)
        ax.axhline(0, color="0.3", lw=0.7)
        ax.set_title(scheme, fontsize=9)
        qname = QUANTITY_NAMES.get(quantity, quantity.replace("_", " "))
        ax.set_ylabel(f"{qname} ({unit_of(scheme, quantity)})", fontsize=8)
        ax.set_xlabel("party", fontsize=8)
        ax.set_xticks(list(x), short, rotation=30, ha="right", fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
        ax.grid(True, axis="y", color="0.9", lw=0.6)
        if not flat:
            ax.margins(y=0.1)
    for idx in range(len(panels), nrow * ncol):
        axes[idx // ncol][idx % ncol].set_visible(False)
    fig.tight_layout()
    return fig


def flow_figure(names: Sequence[str], matrix: Any, title: str, unit: str = "units of v") -> Any:
    """A flow matrix ``i → j`` as a heat map with each value written in its cell."""
    plt = require_matplotlib()
    m = np.array([[float(y) for y in row] for row in matrix])
    n = len(names)
    size = min(9.0, 2.2 + 0.75 * n)
    fig, ax = plt.subplots(figsize=(size + 1.2, size))
    big = float(np.nanmax(np.abs(m))) or 1.0
    im = ax.imshow(m, cmap="RdBu_r" if (m < 0).any() else "Blues", vmin=-big if (m < 0).any() else 0, vmax=big)
    if n <= 12:
        for i in range(n):
            for j in range(n):
                ax.text(j, i, f"{m[i, j]:.3g}", ha="center", va="center", fontsize=7,
                        color="white" if abs(m[i, j]) > 0.6 * big else "black")
    short = [s if len(s) <= 14 else s[:13] + "…" for s in names]
    ax.set_xticks(range(n), short, rotation=35, ha="right", fontsize=8)
    ax.set_yticks(range(n), short, fontsize=8)
    ax.set_xlabel("to party j")
    ax.set_ylabel("from party i")
    ax.set_title(title, fontsize=10)
    cb = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    cb.set_label(f"{re.sub(r'_', ' ', title)} ({unit})", fontsize=8)
    fig.tight_layout()
    return fig


__all__ = ["require_matplotlib", "image_format", "figure_bytes", "svg_markup", "boundary_figure",
           "reproduce_figure", "synthesis_figure", "allocation_figure", "flow_figure", "unit_of",
           "IMAGE_FORMATS", "PAPER_ALPHA_RANGE", "COLORS"]
