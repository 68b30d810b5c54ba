"""Every figure a person sees: both axes labelled, out-of-range points visible, error bars where
sampled, no legend over the data, one kind of quantity per axis.

The figures are built from real results (small runs) and inspected through matplotlib's artists:
axis labels, the legend's bounding box against every data point and bar, error-bar containers, and
the marker drawn for α values whose boundary lies beyond ``k_max``.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.container import ErrorbarContainer  # noqa: E402

from mechsolve.report import figures as F  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def _axes(fig: Any) -> list[Any]:
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]


def _data_points(ax: Any) -> np.ndarray:
    pts = [ln.get_transform().transform(np.column_stack(ln.get_data())) for ln in ax.lines
           if len(ln.get_xdata()) and ln.get_label() and not str(ln.get_label()).startswith("_")]
    for patch in ax.patches:
        bb = patch.get_window_extent()
        if bb.width > 0 and bb.height > 0:
            pts.append(np.array([[bb.x0, bb.y0], [bb.x1, bb.y1], [bb.x0, bb.y1], [bb.x1, bb.y0]]))
    return np.vstack(pts) if pts else np.empty((0, 2))


def check_figure(fig: Any) -> None:
    """Both axes labelled on every panel; no legend box contains a data point or bar corner."""
    fig.canvas.draw()
    for ax in _axes(fig):
        if not (ax.lines or ax.patches or ax.images or ax.collections):
            continue
        xlabel = " ".join(a.get_xlabel() for a in ax.get_shared_x_axes().get_siblings(ax))   # stacked panels
        assert xlabel.strip() and ax.get_ylabel().strip(), (ax.get_title(), xlabel, ax.get_ylabel())
        leg = ax.get_legend()
        if leg is None:
            continue
        box = leg.get_window_extent()
        pts = _data_points(ax)
        inside = (pts[:, 0] > box.x0) & (pts[:, 0] < box.x1) & (pts[:, 1] > box.y0) & (pts[:, 1] < box.y1)
        assert not inside.any(), f"the legend of {ax.get_title()!r} covers {int(inside.sum())} data points"


def _boundary_results() -> list[Any]:
    from mechsolve.mechanism.boundary import sweep

    return sweep([-1.0, -0.8, -0.7, -0.665], workers=1, include_zero=True, k_max=3000, verify_limit=50)


def test_boundary_plot_shows_alphas_beyond_k_max_as_arrows() -> None:
    res = _boundary_results()
    assert [r.boundary for r in res][:3] == [1, 3, 38] and res[3].boundary is None   # 13,727 > k_max
    fig = F.boundary_figure(res)
    check_figure(fig)
    ax = fig.axes[0]
    arrows = [ln for ln in ax.lines if "no failure up to" in str(ln.get_label())]
    assert arrows and list(arrows[0].get_xdata()) == [-0.665] and list(arrows[0].get_ydata()) == [3000]
    assert ax.get_yscale() == "log" and ax.get_ylim()[1] > 3000         # the arrow is inside the axes
    F.figure_bytes(fig)


def test_reproduce_fig3_keeps_out_of_range_points() -> None:
    from mechsolve.mechanism.reproduce import fig3

    f = fig3([-1.0, -0.7, -0.665], k_max=3000, verify_limit=50, workers=1)
    fig = F.reproduce_figure(f)
    check_figure(fig)
    labels = [str(ln.get_label()) for ln in fig.axes[0].lines]
    assert any("no failure up to D/ε = 3,000" in lab for lab in labels)


def test_fig1_has_error_bars_integer_ticks_and_one_quantity_per_axis() -> None:
    from mechsolve.mechanism.reproduce import fig1

    f = fig1(range(2, 6), samples=4, seed=0)
    fig = F.reproduce_figure(f)
    check_figure(fig)
    top, bottom = fig.axes
    assert sum(isinstance(c, ErrorbarContainer) for c in top.containers) == 2      # revenue, welfare
    assert sum(isinstance(c, ErrorbarContainer) for c in bottom.containers) == 1   # best quality
    err = [c for c in top.containers if isinstance(c, ErrorbarContainer)][0]
    seg = err.lines[2][0].get_segments()
    se = f.column("revenue s.e.")
    np.testing.assert_allclose([s[1][1] - s[0][1] for s in seg], 2 * se, rtol=1e-9)   # ± 1 s.e.
    assert all(float(t).is_integer() for t in bottom.get_xticks())
    assert "quality" in bottom.get_ylabel() and "valuation" in top.get_ylabel()


def test_fig2_has_error_bands_and_labels() -> None:
    from mechsolve.mechanism.reproduce import fig2

    f = fig2(samples=3, seed=0)
    fig = F.reproduce_figure(f)
    check_figure(fig)
    ax = fig.axes[0]
    assert len(ax.collections) == 4                   # one ± 1 s.e. band per curve
    assert "t_2" in ax.get_xlabel()


def test_synthesis_plot_legends_stay_off_the_bars() -> None:
    trace = np.array([0.1, 0.2, 0.25])
    rewards = [SimpleNamespace(party=p, target=t, achieved=t + 0.001, trace=trace * t / 0.25)
               for p, t in (("bank-0", 0.29), ("bank-1", 0.28), ("bank-2", 0.26))]
    run = SimpleNamespace(sampling=SimpleNamespace(rewards=rewards, beta=4.0))
    fig = F.synthesis_figure(run)
    check_figure(fig)


def test_report_figures_one_quantity_per_panel_and_flat_noise_drawn_flat() -> None:
    names = ["a", "b", "c"]
    panels = [("shapley", "shapley", [0.2, 0.3, 0.5]), ("ohrimenko-single", "net_gain", [-0.1, 0.0, 0.1]),
              ("nguyen-budget", "payoff", [1e-16, -5e-17, 2e-16])]
    fig = F.allocation_figure(names, panels)
    check_figure(fig)
    axes = _axes(fig)
    assert [ax.get_title() for ax in axes] == ["shapley", "ohrimenko-single", "nguyen-budget"]
    assert "units of c" in axes[1].get_ylabel() and "units of v" in axes[0].get_ylabel()
    assert axes[2].get_ylim() == (-1, 1) and all(p.get_height() == 0 for p in axes[2].patches)
    heat = F.flow_figure(names, np.arange(9.0).reshape(3, 3), "flows")
    check_figure(heat)
    svg = F.svg_markup(F.flow_figure(names, np.arange(9.0).reshape(3, 3), "flows"))
    assert svg.startswith("<svg") and "to party j" in svg and "from party i" in svg   # text stays text
