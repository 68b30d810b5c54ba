"""Figures as data: matplotlib figures built from results, rendered to bytes in memory.

Nothing here touches a file: :func:`figure_bytes` renders a figure to PNG/SVG/PDF bytes and
:func:`mechsolve.model.io.write_bytes` writes them. matplotlib is the ``plot`` extra; without it
:func:`require_matplotlib` raises :class:`~mechsolve.errors.Unsupported` with the install hint.
"""

from __future__ import annotations

import io as _io
from collections.abc import Sequence
from typing import Any

from ..errors import Unsupported, InvalidModel

#: File suffixes matplotlib renders, and the format name it uses.
IMAGE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}


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
    """Render a matplotlib figure to bytes (and close it)."""
    plt = require_matplotlib()
    buf = _io.BytesIO()
    try:
        fig.savefig(buf, format=fmt, dpi=dpi)
    finally:
        plt.close(fig)
    return buf.getvalue()


def boundary_figure(results: Sequence[Any]) -> Any:
    """Fig. 3 style: D/ε against α, log y-axis; the paper's range (α ≤ −0.668) shaded."""
    plt = require_matplotlib()
    xs = [r.alpha for r in results if r.boundary is not None]
    ys = [max(r.boundary, 0.5) for r in results if r.boundary is not None]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.axvspan(-1.0, -0.668, color="0.92", label="paper's Fig. 3 range")
    ax.plot(xs, ys, ".-", label="largest D/ε with a desirable mechanism")
    open_ = [r.alpha for r in results if r.boundary is None]
    if open_:
        ax.axvline(min(open_), color="r", ls=":", label="no failure found up to k_max")
    ax.set_yscale("log")
    ax.set_xlabel("market growth rate α")
    ax.set_ylabel("data disparity D/ε")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def reproduce_figure(fig: Any) -> Any:
    """A reproduced figure of Chen et al. (:class:`~mechsolve.mechanism.reproduce.Figure`)."""
    plt = require_matplotlib()
    x = fig.column(fig.x)
    f, ax = plt.subplots(figsize=(6, 4))
    if fig.name == "chen-fig3":
        ax.axvspan(-1.0, -0.668, color="0.92", label="paper's Fig. 3 range")
    for c in fig.plot_columns:
        y = fig.column(c)
        if c == "best quality":
            ax2 = ax.twinx()
            ax2.plot(x, y, "k--", label=c)
            ax2.set_ylabel("best model quality")
            ax2.legend(loc="lower right", fontsize=8)
        else:
            ax.plot(x, y, ".-", label=c)
    if fig.log_y:
        ax.set_yscale("log")
    ax.set_xlabel(fig.x)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(fig.title, fontsize=9)
    f.tight_layout()
    return f


def synthesis_figure(run: Any) -> Any:
    """Achieved vs target value per party, and the value curves during weighted sampling."""
    plt = require_matplotlib()
    sp = run.sampling
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
    names = [r.party for r in sp.rewards]
    x = range(len(names))
    a1.bar([i - 0.2 for i in x], [r.target for r in sp.rewards], width=0.4, label="target r_i")
    a1.bar([i + 0.2 for i in x], [r.achieved for r in sp.rewards], width=0.4, label="achieved v(D_i ∪ G_i)")
    a1.set_xticks(list(x), names, rotation=30)
    a1.set_title("reward value per party")
    a1.legend()
    for r in sp.rewards:
        a2.plot(range(len(r.trace)), r.trace, label=r.party)
        a2.axhline(r.target, ls=":", lw=0.8, color=a2.lines[-1].get_color())
    a2.set_xlabel("synthetic points drawn")
    a2.set_ylabel("v(D_i ∪ G_i)")
    a2.set_title(f"value during weighted sampling (β = {sp.beta:g})")
    a2.legend(fontsize="small")
    fig.tight_layout()
    return fig


__all__ = ["require_matplotlib", "image_format", "figure_bytes", "boundary_figure", "reproduce_figure",
           "synthesis_figure", "IMAGE_FORMATS"]
