"""Reproduce Figs. 1–3 of Chen et al. (2020), Sec. 6, and test the claims the paper makes about them.

* **Fig. 1** (Sec. 6.1): MEP (Def. 9) with the efficient allocation under linear externalities
  (Example 1), α_ij ~ U[−1, 1], types t_i ~ U[0, 1], Q(t) = (1 − e^−t)/(1 + e^−t); mean revenue,
  welfare and best model quality Q(Σ t_j) against the number of agents n, over seeded samples.
* **Fig. 2** (Sec. 6.1): two agents, t_1 = 1 fixed, t_2 from 0 to 2; mean revenue, welfare and the
  utilities u_1, u_2 (u_i = v_i − p_i, truthful reports).
* **Fig. 3** (Sec. 6.2): the data-disparity boundary per market growth rate α
  (:mod:`.boundary`), over the paper's range α ∈ [−1, −0.668] and beyond it.

Every point is computed by the library itself: MEP is :func:`~mechsolve.mechanism.mep.mep` on a
:class:`~mechsolve.mechanism.instance.MechanismInstance` whose grids are the sampled types, with
the same :class:`~mechsolve.mechanism.allocation.AllocationRule` and
:class:`~mechsolve.mechanism.valuations.Valuation` objects `solve` uses.

**Reading of α_ii.** Sec. 6.1 draws "α_ij uniformly in [−1, 1]"; Example 1 says "α_ii should always
be positive, naturally". ``diagonal="positive"`` (default) draws α_ii ~ U[0, 1] and the rest
U[−1, 1]; ``diagonal="signed"`` draws every entry from U[−1, 1]. Both are offered because they
disagree on Fig. 2 (with a signed diagonal E[α_22] = 0, so u_2 cannot grow on average).

Each figure comes with :class:`Claim` s — the paper's sentence, the test applied (with its explicit
threshold) and whether it holds on the computed numbers. A claim that fails is reported with the
numbers, never adjusted.

Examples
--------
>>> f = fig1(ns=[2, 4, 8], samples=20, seed=0)
>>> f.columns[:4]
['n', 'revenue', 'welfare', 'best quality']
>>> [c.holds for c in f.claims][:1]
[True]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..errors import InvalidModel
from ..numtext import natural_key
from .allocation import AllocationRule
from .instance import MechanismInstance
from .mep import mep
from .types import TypeGrids
from .valuations import Quality, Valuation

#: Sec. 6.1's model quality.
FIG1_QUALITY = "(1 - exp(-t))/(1 + exp(-t))"
#: Spearman rank correlation at or above which a curve "grows" (explicit threshold of the claim tests).
GROWS = 0.9
#: A curve is "almost not affected" when its range is at most this fraction of the welfare curve's range.
FLAT = 0.25
FIGURES = ("chen-fig1", "chen-fig2", "chen-fig3")


@dataclass(frozen=True)
class Claim:
    """A sentence of the paper about a figure, the test applied, and its outcome on our numbers."""

    statement: str
    source: str
    test: str
    holds: bool
    evidence: str

    def to_dict(self) -> dict[str, Any]:
        return {"statement": self.statement, "source": self.source, "test": self.test,
                "holds": self.holds, "evidence": self.evidence}


@dataclass(frozen=True)
class Figure:
    """A reproduced figure: one row per x value, the claims, and the setup that produced it."""

    name: str
    title: str
    x: str
    columns: list[str]
    rows: list[list[float]]
    claims: list[Claim]
    setup: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    log_y: bool = False
    plot_columns: tuple[str, ...] = ()

    def column(self, name: str) -> np.ndarray:
        j = self.columns.index(name)
        return np.array([r[j] for r in self.rows], dtype=float)

    @property
    def all_hold(self) -> bool:
        return all(c.holds for c in self.claims)

    def to_dict(self) -> dict[str, Any]:
        return ({"figure": self.name, "title": self.title, "x": self.x, "setup": self.setup,
                            "columns": self.columns, "rows": self.rows,
                            "claims": [c.to_dict() for c in self.claims], "notes": self.notes,
                            "all_claims_hold": self.all_hold})


# --------------------------------------------------------------------------- helpers

def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman rank correlation (average ranks for ties)."""
    def ranks(a: np.ndarray) -> np.ndarray:
        order = np.argsort(a, kind="stable")
        r = np.empty(len(a))
        r[order] = np.arange(len(a), dtype=float)
        for v in np.unique(a):  # average ties
            m = a == v
            r[m] = r[m].mean()
        return r

    rx, ry = ranks(np.asarray(x, float)), ranks(np.asarray(y, float))
    sx, sy = rx.std(), ry.std()
    return float(((rx - rx.mean()) * (ry - ry.mean())).mean() / (sx * sy)) if sx > 0 and sy > 0 else 0.0


def draw_alpha(rng: np.random.Generator, n: int, diagonal: str) -> np.ndarray:
    """α ~ U[−1, 1]^{n×n}; with ``diagonal='positive'`` the diagonal is redrawn from U[0, 1]."""
    if diagonal not in ("positive", "signed"):
        raise InvalidModel(f"diagonal = {diagonal!r}; valid: positive, signed", field="diagonal")
    a = rng.uniform(-1.0, 1.0, size=(n, n))
    if diagonal == "positive":
        a[np.diag_indices(n)] = rng.uniform(0.0, 1.0, size=n)
    return a


def linear_mep(alpha: np.ndarray, grids: Sequence[np.ndarray], quality: Quality) -> dict[str, np.ndarray]:
    """MEP, values and best quality of the efficient linear mechanism on per-agent type lists.

    Returns arrays of shape ``(n, *shape)`` (``payment``, ``value``) and ``shape`` (``best``),
    computed by :func:`~mechsolve.mechanism.mep.mep` on a :class:`MechanismInstance`.
    """
    n = alpha.shape[0]
    val = Valuation.linear(alpha)
    rule = AllocationRule("efficient", quality, val)
    names = tuple(str(k + 1) for k in range(n))
    inst = MechanismInstance(TypeGrids(names, tuple(np.asarray(g, float) for g in grids), False),
                             quality, val, rule)
    t = inst.profiles
    best = rule.best(t, np.ones(t.shape, dtype=bool))
    return {"payment": mep(inst), "value": inst.V, "best": best}


# --------------------------------------------------------------------------- Fig. 1

def fig1(ns: Sequence[int] = tuple(range(2, 21)), *, samples: int = 50, seed: int = 0,
         diagonal: str = "positive") -> Figure:
    """Fig. 1: mean MEP revenue, welfare and best model quality Q(Σ t) against n.

    Sample s for n agents uses ``default_rng([seed, n, s])``: α (see :func:`draw_alpha`) and
    t ~ U[0, 1]^n; the standard errors of the three means are reported too (``… s.e.`` columns).
    """
    if samples < 2:
        raise InvalidModel(f"samples = {samples}; need at least 2", field="samples")
    if not ns or min(ns) < 1:
        raise InvalidModel(f"agent counts {list(ns)} must be ≥ 1", field="agents")
    quality = Quality.parse(FIG1_QUALITY)
    rows = []
    for n in ns:
        rev, wel, best = np.empty(samples), np.empty(samples), np.empty(samples)
        for s in range(samples):
            rng = np.random.default_rng([seed, n, s])
            a = draw_alpha(rng, n, diagonal)
            t = rng.uniform(0.0, 1.0, size=n)
            r = linear_mep(a, [np.array([x]) for x in t], quality)
            rev[s] = float(r["payment"].sum())
            wel[s] = float(r["value"].sum())
            best[s] = float(r["best"].reshape(-1)[0])
        se = [x.std(ddof=1) / np.sqrt(samples) for x in (rev, wel, best)]
        rows.append([n, rev.mean(), wel.mean(), best.mean(), se[0], se[1], se[2]])
    cols = ["n", "revenue", "welfare", "best quality", "revenue s.e.", "welfare s.e.", "best quality s.e."]
    f = Figure("chen-fig1", "MEP under different numbers of agents (Chen et al. 2020, Fig. 1)", "n", cols, rows,
               [], {"samples": samples, "seed": seed, "diagonal": diagonal, "quality": FIG1_QUALITY,
                    "alpha_ij": "U[-1, 1]" + (", α_ii ~ U[0, 1]" if diagonal == "positive" else ""),
                    "types": "U[0, 1]", "allocation": "efficient (Sec. 3 closed form)", "payment": "MEP (Def. 9)"},
               plot_columns=("revenue", "welfare", "best quality"))
    n_arr, r_arr, w_arr, q_arr = (f.column(c) for c in ("n", "revenue", "welfare", "best quality"))
    rho = spearman(n_arr, r_arr)
    claims = [
        Claim("When the number of agents becomes larger, the platform can obtain more revenues",
              "Sec. 6.1, Fig. 1", f"Spearman(n, mean revenue) ≥ {GROWS}", rho >= GROWS,
              f"Spearman = {rho:.3f}; revenue {r_arr[0]:.4g} at n = {int(n_arr[0])} → {r_arr[-1]:.4g} "
              f"at n = {int(n_arr[-1])}"),
    ]
    rq = spearman(n_arr, q_arr)
    big = n_arr > 12
    claims.append(Claim("... and train better models", "Sec. 6.1, Fig. 1",
                        f"Spearman(n, mean best quality) ≥ {GROWS}", rq >= GROWS, f"Spearman = {rq:.3f}"))
    if big.any():
        lo_q = float(q_arr[big].min())
        claims.append(Claim("the model quality is close to be optimal when the number of agents over 12",
                            "Sec. 6.1, Fig. 1", "mean best quality ≥ 0.99 (sup Q = 1) for every n > 12",
                            lo_q >= 0.99, f"smallest mean best quality for n > 12: {lo_q:.5f}"))
    over = n_arr[r_arr > w_arr]
    claims.append(Claim("the revenue may surpass the social welfare", "Sec. 6.1, Fig. 1",
                        "mean revenue > mean welfare for some n", bool(len(over)),
                        f"revenue > welfare at n ∈ {[int(x) for x in over]}" if len(over)
                        else f"revenue ≤ welfare at every n (largest revenue − welfare: "
                             f"{float((r_arr - w_arr).max()):.4g})"))
    return replace(f, claims=claims)


# --------------------------------------------------------------------------- Fig. 2

def fig2(t2: Sequence[float] | None = None, *, t1: float = 1.0, samples: int = 50, seed: int = 0,
         diagonal: str = "positive") -> Figure:
    """Fig. 2: two agents, t_1 fixed (1), t_2 on a grid (default 0, 0.05, …, 2); means over α samples.

    The same α samples (``default_rng([seed, s])``) are used at every t_2 (common random numbers).
    """
    if samples < 1:
        raise InvalidModel(f"samples = {samples}; need at least 1", field="samples")
    grid = np.round(np.linspace(0.0, 2.0, 41), 12) if t2 is None else np.asarray(t2, float)
    if grid.ndim != 1 or len(grid) < 2 or (grid < 0).any() or (np.diff(grid) <= 0).any():
        raise InvalidModel("t_2 values must be ≥ 0 and strictly increasing (at least two)", field="t2")
    quality = Quality.parse(FIG1_QUALITY)
    keys = ("revenue", "welfare", "u1", "u2")
    acc = {k: np.zeros(len(grid)) for k in keys}
    sq = {k: np.zeros(len(grid)) for k in keys}
    for s in range(samples):
        a = draw_alpha(np.random.default_rng([seed, s]), 2, diagonal)
        r = linear_mep(a, [np.array([t1]), grid], quality)
        p, v = r["payment"][:, 0, :], r["value"][:, 0, :]
        for k, x in zip(keys, (p.sum(axis=0), v.sum(axis=0), v[0] - p[0], v[1] - p[1])):
            acc[k] += x
            sq[k] += x * x
    m = {k: x / samples for k, x in acc.items()}
    # standard error of each mean (0 with one sample)
    se = {k: np.sqrt(np.maximum(sq[k] - samples * m[k] ** 2, 0.0) / max(samples - 1, 1) / samples) for k in keys}
    rows = [[float(grid[j])] + [m[k][j] for k in keys] + [se[k][j] for k in keys] for j in range(len(grid))]
    cols = ["t_2", "revenue", "welfare", "uti_1", "uti_2", "revenue s.e.", "welfare s.e.", "uti_1 s.e.",
            "uti_2 s.e."]
    wr = float(np.ptp(m["welfare"]))
    claims = []
    for col, key in (("welfare", "welfare"), ("uti_2", "u2")):
        rho = spearman(grid, m[key])
        claims.append(Claim(f"the {col} increases as the opponent's type increases", "Sec. 6.1, Fig. 2",
                            f"Spearman(t_2, mean {col}) ≥ {GROWS}", rho >= GROWS,
                            f"Spearman = {rho:.3f}; {m[key][0]:.4g} at t_2 = {grid[0]:g} → {m[key][-1]:.4g} at "
                            f"t_2 = {grid[-1]:g}"))
    for col, key in (("revenue", "revenue"), ("uti_1", "u1")):
        rg = float(np.ptp(m[key]))
        ok = rg <= FLAT * wr
        claims.append(Claim(f"the {'platform' + chr(39) + 's revenue' if key == 'revenue' else 'utility of the static agent'}"
                            " is almost not affected by the type", "Sec. 6.1, Fig. 2",
                            f"range of mean {col} ≤ {FLAT} × range of mean welfare", ok,
                            f"range {rg:.4g} vs welfare range {wr:.4g} (ratio {rg / wr if wr else float('inf'):.3f})"))
    return Figure("chen-fig2", "MEP under different types (Chen et al. 2020, Fig. 2)", "t_2", cols, rows, claims,
                  {"samples": samples, "seed": seed, "diagonal": diagonal, "t_1": t1, "quality": FIG1_QUALITY,
                   "alpha_ij": "U[-1, 1]" + (", α_ii ~ U[0, 1]" if diagonal == "positive" else ""),
                   "allocation": "efficient (Sec. 3 closed form)", "payment": "MEP (Def. 9)"},
                  plot_columns=("revenue", "welfare", "uti_1", "uti_2"))


# --------------------------------------------------------------------------- Fig. 3

#: The paper's Fig. 3 range, then points beyond it toward α* ≈ −0.6609.
PAPER_ALPHAS = tuple(round(-1.0 + 0.002 * k, 3) for k in range(167))
BEYOND_ALPHAS = (-0.666, -0.665, -0.664, -0.663, -0.662, -0.6615, -0.661, -0.6605, -0.66)


def fig3(alphas: Sequence[float] | None = None, *, k_max: int = 100_000, verify_limit: int = 200,
         workers: int | None = None, scheduler: str | None = None, include_zero: bool = True) -> Figure:
    """Fig. 3: the largest D/ε with a desirable mechanism per α (two agents, market growth, Q(t) = t)."""
    from .boundary import sweep

    al = list(PAPER_ALPHAS + BEYOND_ALPHAS) if alphas is None else [float(a) for a in alphas]
    if not al:
        raise InvalidModel("no α values", field="alpha")
    res = sweep(al, workers=workers, scheduler=scheduler, include_zero=include_zero, k_max=k_max,
                verify_limit=verify_limit)
    rows = [[r.alpha, float(r.boundary) if r.boundary is not None else float("nan"),
             float(r.first_profile[1]) if r.first_profile else float("nan"),
             r.revenue if r.revenue is not None else float("nan"), r.seconds] for r in res]
    cols = ["alpha", "boundary D/eps", "first failing K", "revenue there", "seconds"]
    inside = [r for r in res if r.alpha <= -0.668 + 1e-12]
    claims = []
    b_in = [r.boundary for r in inside]
    if len(inside) >= 2:
        ok = all(b is not None for b in b_in) and all(x <= y for x, y in zip(b_in, b_in[1:]))  # type: ignore
        claims.append(Claim("when α becomes larger, the constraint on data size disparity would become looser",
                            "Sec. 6.2, Fig. 3", "boundary non-decreasing in α over the paper's range", ok,
                            f"boundaries {b_in[0]} … {b_in[-1]} over α ∈ [{inside[0].alpha}, {inside[-1].alpha}]"))
    near = {round(r.alpha, 4): r.boundary for r in res}
    if near.get(-0.7) and near.get(-0.668):
        ratio = near[-0.668] / near[-0.7]  # type: ignore[operator]
        claims.append(Claim("when α is near −0.67, the boundary of disparity grows very fast", "Sec. 6.2",
                            "boundary(−0.668) ≥ 10 × boundary(−0.7)", ratio >= 10,
                            f"boundary(−0.7) = {near[-0.7]}, boundary(−0.668) = {near[-0.668]} (×{ratio:.0f})"))
    close = [r for r in res if -0.666 <= r.alpha <= -0.66]
    if close:
        over = [r for r in close if r.boundary is None or r.boundary > 10_000]
        claims.append(Claim("when α is close to −0.66, the disparity boundary is over 10000", "Sec. 6.2",
                            "boundary > 10,000 (or none found up to k_max) for some α ∈ [−0.666, −0.66]",
                            bool(over), "; ".join(f"α = {r.alpha}: {r.boundary if r.boundary is not None else '> ' + str(r.k_max)}"
                                                  for r in close)))
    notes = sorted({n for r in res for n in r.notes}, key=natural_key)
    notes.append("boundary \"> k_max\" (NaN in the JSON rows) = no failing profile found up to k_max; above "
                 "α* ≈ −0.6609 (continuum limit of Σp^max/K^(α+1)) the boundary stops existing")
    return Figure("chen-fig3", "Boundary of data disparity for desirable mechanisms (Chen et al. 2020, Fig. 3)",
                  "alpha", cols, rows, claims,
                  {"agents": 2, "valuation": "(q_1 + q_2)^α q_i", "quality": "t", "k_max": k_max,
                   "include_zero": include_zero, "verify_limit": verify_limit, "alphas": len(al)},
                  notes, log_y=True, plot_columns=("boundary D/eps",))


def reproduce(name: str, **kw: Any) -> Figure:
    """Compute ``chen-fig1``, ``chen-fig2`` or ``chen-fig3`` (keyword arguments go to the figure)."""
    fns = {"chen-fig1": fig1, "chen-fig2": fig2, "chen-fig3": fig3}
    if name not in fns:
        raise InvalidModel(f"unknown figure {name!r}; valid: {', '.join(FIGURES)}", field="figure")
    return fns[name](**kw)
