r"""Who blinks first: a transparent weighted score over the traits the essay names.

Essay VIII: "The first to cut will be the one with the best information, the
credibility to reframe the cut as strength, and the balance-sheet room to be
rewarded rather than punished for it" -- Meta first; "Google will not blink";
"Oracle cannot blink"; "Amazon may have its hand forced ... free cash flow
already turning negative".

Score of player :math:`p` with trait scores :math:`x_{p,t} \in [0, 1]` (higher:
more able or more pushed to cut first) and weights :math:`w_t \ge 0`,
:math:`\sum_t w_t = 1`:

.. math:: s_p = \sum_t w_t\,x_{p,t}, \qquad \text{contribution}_{p,t} = w_t\,x_{p,t}.

Three traits are judgement scores from ``capex_inputs.yaml`` (information
advantage, control and credibility, weak direct monetisation); two are
computed from the funding model: balance-sheet room
:math:`1 - \min(1, L/5)` with :math:`L` the 2026 gross debt/EBITDA including
vehicles (5x: the top of S&P's "aggressive" band) and the free-cash-flow sign
(1 when 2026 guided capex exceeds operating cash flow).

Robustness: :meth:`BlinkResult.overturn` solves, for each challenger, the
linear programme "smallest L1 change of the weights (staying on the simplex)
that lifts the challenger to the leader's score" (``scipy.optimize.linprog``);
:meth:`BlinkResult.sensitivity` draws weights from a Dirichlet around the
defaults and counts who comes first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from borrowedtime._montecarlo import as_generator
from borrowedtime.capex._data import capex_inputs
from borrowedtime.errors import ConvergenceError, SpecError

__all__ = ["TRAITS", "BlinkModel", "BlinkResult", "parse_weights", "default_scores", "essay_ordering_holds"]

TRAITS = ("information_advantage", "control_credibility", "balance_sheet_room", "weak_direct_monetisation",
          "negative_free_cash_flow")
#: Gross debt/EBITDA (x) at which balance-sheet room reaches zero (S&P: "highly leveraged" above 5x).
ROOM_ZERO_AT = 5.0


def parse_weights(text: str | Mapping[str, float]) -> dict[str, float]:
    """Weights from ``"trait=0.3,trait=0.2"`` (or a mapping); unnamed traits keep weight 0; normalised to 1.

    Raises
    ------
    SpecError
        For an unknown trait, a value that is not a number, a negative weight or all weights zero.
    """
    if isinstance(text, Mapping):
        items = list(text.items())
    else:
        items = []
        for part in str(text).split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise SpecError(f"weights: expected 'trait=value' pairs separated by commas; got {part.strip()!r}. "
                                f"Traits: {', '.join(TRAITS)}")
            k, v = part.split("=", 1)
            items.append((k.strip(), v.strip()))
    out = dict.fromkeys(TRAITS, 0.0)
    if not items:
        raise SpecError(f"weights: nothing to parse in {text!r}; expected 'trait=value,...' over {', '.join(TRAITS)}")
    for k, v in items:
        if k not in TRAITS:
            raise SpecError(f"weights: unknown trait {k!r}; expected one of {', '.join(TRAITS)}")
        try:
            x = float(v)
        except (TypeError, ValueError):
            raise SpecError(f"weights: the weight of {k!r} must be a number; got {v!r}") from None
        if not np.isfinite(x) or x < 0:
            raise SpecError(f"weights: the weight of {k!r} must be a finite number >= 0; got {v!r}")
        out[k] = x
    total = sum(out.values())
    if total <= 0:
        raise SpecError("weights: all weights are zero; give at least one trait a positive weight")
    return {k: v / total for k, v in out.items()}


def default_scores(funding=None) -> pd.DataFrame:
    """Trait scores of the five hyperscalers: judged traits from the YAML, two computed from funding."""
    from borrowedtime.capex.funding import FundingModel

    funding = FundingModel().run() if funding is None else funding
    spec = capex_inputs()["blink"]
    players = list(spec["traits"]["information_advantage"]["scores"])
    frame = pd.DataFrame(index=pd.Index(players, name="name"), columns=list(TRAITS), dtype=float)
    for trait, item in spec["traits"].items():
        for p in players:
            frame.loc[p, trait] = float(item["scores"][p])
    lev = funding.leverage.set_index(["name", "year"])["leverage_with_vehicles"]
    firms = funding.firms.set_index(["name", "year"])["ratio"]
    for p in players:
        frame.loc[p, "balance_sheet_room"] = 1.0 - min(1.0, float(lev.loc[(p, 2026)]) / ROOM_ZERO_AT)
        frame.loc[p, "negative_free_cash_flow"] = float(firms.loc[(p, 2026)] > 1.0)
    return frame


def essay_ordering_holds(ranking: list[str]) -> bool:
    """The essay's order: Meta first; Amazon (forced) above Google (will not) and Oracle (cannot)."""
    pos = {n: k for k, n in enumerate(ranking)}
    need = ("meta", "amazon", "google", "oracle")
    if not all(n in pos for n in need):
        return False
    return pos["meta"] == 0 and pos["amazon"] < pos["google"] and pos["amazon"] < pos["oracle"]


def _check_scores(scores: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(scores, pd.DataFrame):
        raise SpecError(f"scores must be a DataFrame (players x traits); got {type(scores).__name__}")
    if scores.empty or len(scores.index) == 0:
        raise SpecError("blink: empty player list; give at least two players with trait scores")
    if len(scores.index) < 2:
        raise SpecError(f"blink: a ranking needs at least two players; got {list(scores.index)!r}")
    missing = [t for t in TRAITS if t not in scores.columns]
    if missing:
        raise SpecError(f"blink: scores lack trait column(s) {', '.join(missing)}")
    x = scores[list(TRAITS)].astype(float)
    bad = ~np.isfinite(x.to_numpy()) | (x.to_numpy() < 0) | (x.to_numpy() > 1)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise SpecError(f"blink: score of {x.index[r]!r} on {x.columns[c]!r} must be in [0, 1]; got {x.iat[r, c]!r}")
    return x


@dataclass(frozen=True)
class BlinkModel:
    """Weights of the blink score (specification); defaults from ``capex_inputs.yaml``."""

    weights: Mapping[str, float] | str | None = None

    def resolved_weights(self) -> dict[str, float]:
        if self.weights is None:
            return parse_weights(capex_inputs()["blink"]["weights"])
        return parse_weights(self.weights)

    def run(self, scores: pd.DataFrame | None = None, funding=None) -> BlinkResult:
        """Rank the players; contributions are weight x score."""
        x = _check_scores(default_scores(funding) if scores is None else scores)
        w = self.resolved_weights()
        wv = np.array([w[t] for t in TRAITS])
        contrib = x * wv
        total = contrib.sum(axis=1)
        order = sorted(x.index, key=lambda p: (-total[p], str(p)))
        return BlinkResult(scores=x, weights=w, contributions=contrib.loc[order], total=total.loc[order])


@dataclass(frozen=True, eq=False)
class BlinkResult:
    """The ranking, each trait's contribution, and how robust first place is to the weights."""

    scores: pd.DataFrame
    weights: dict[str, float]
    contributions: pd.DataFrame
    total: pd.Series
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def ranking(self) -> list[str]:
        return list(self.total.index)

    @property
    def leader(self) -> str:
        return self.ranking[0]

    @property
    def matches_essay(self) -> bool:
        return essay_ordering_holds(self.ranking)

    def to_frame(self) -> pd.DataFrame:
        out = self.contributions.copy()
        out.insert(0, "score", self.total)
        return out

    def overturn(self) -> dict:
        """Smallest change of the weights (L1, on the simplex) that ties a challenger with the leader.

        Returns ``{"challenger", "l1_change", "weight_moved", "weights"}``: ``weight_moved`` is half
        the L1 change, the share of total weight moved from some traits to others.
        """
        if "overturn" in self._cache:
            return self._cache["overturn"]
        from scipy.optimize import linprog

        w = np.array([self.weights[t] for t in TRAITS])
        x = self.scores.to_numpy()
        lead = self.scores.index.get_loc(self.leader)
        n = len(TRAITS)
        best = None
        for j, name in enumerate(self.scores.index):
            if j == lead:
                continue
            d = x[lead] - x[j]  # the leader's edge per trait
            # variables: w' (n), t (n); minimise sum t; t >= |w' - w|; sum w' = 1; w' . d <= 0
            c = np.r_[np.zeros(n), np.ones(n)]
            eye = np.eye(n)
            a_ub = np.vstack([np.hstack([eye, -eye]), np.hstack([-eye, -eye]), np.r_[d, np.zeros(n)][None, :]])
            b_ub = np.r_[w, -w, 0.0]
            a_eq = np.r_[np.ones(n), np.zeros(n)][None, :]
            res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0], bounds=[(0, None)] * (2 * n),
                          method="highs")
            if res.status == 2:  # infeasible: no weights put this challenger level with the leader
                continue
            if not res.success:
                raise ConvergenceError(f"blink overturn LP for {name!r} failed: {res.message}")
            if best is None or res.fun < best["l1_change"] - 1e-12:
                best = {"challenger": str(name), "l1_change": float(res.fun), "weight_moved": float(res.fun) / 2,
                        "weights": dict(zip(TRAITS, np.round(res.x[:n], 6).tolist(), strict=True))}
        out = best or {"challenger": None, "l1_change": None, "weight_moved": None, "weights": None}
        self._cache["overturn"] = out
        return out

    def sensitivity(self, n_draws: int = 4000, concentration: float = 20.0,
                    seed: int | np.random.Generator | None = 0) -> pd.DataFrame:
        """Share of Dirichlet weight draws (mean = the weights, ``concentration`` = sum of alphas) in
        which each player ranks first, and the share in which the essay's ordering holds."""
        if n_draws < 1 or not concentration > 0:
            raise SpecError(f"sensitivity needs n_draws >= 1 and concentration > 0; got {n_draws}, {concentration}")
        rng = as_generator(seed)
        w = np.array([self.weights[t] for t in TRAITS])
        alpha = np.maximum(w * concentration, 1e-3)
        draws = rng.dirichlet(alpha, size=n_draws)  # (draws, traits)
        totals = draws @ self.scores.to_numpy().T   # (draws, players)
        names = np.asarray(self.scores.index)
        order = np.argsort(-totals, axis=1, kind="stable")
        first = names[order[:, 0]]
        essay = np.mean([essay_ordering_holds(list(names[o])) for o in order])
        out = pd.DataFrame({"share_first": [float(np.mean(first == p)) for p in names]}, index=names)
        out.attrs.update(essay_ordering_share=float(essay), n_draws=n_draws, concentration=concentration)
        return out.sort_values("share_first", ascending=False)

    def one_at_a_time(self, grid: int = 101) -> pd.DataFrame:
        """For each trait, the range of its weight (others rescaled in proportion) keeping the leader first."""
        rows = []
        w = np.array([self.weights[t] for t in TRAITS])
        x = self.scores.to_numpy()
        lead = self.scores.index.get_loc(self.leader)
        lam = np.linspace(0.0, 1.0, grid)
        for k, t in enumerate(TRAITS):
            rest = np.delete(w, k)
            rest = rest / rest.sum() if rest.sum() > 0 else np.full(len(rest), 1 / len(rest))
            ws = np.column_stack([np.insert(rest * (1 - v), k, v) for v in lam]).T
            tot = ws @ x.T
            keeps = tot[:, lead] >= tot.max(axis=1) - 1e-12
            rows.append({"trait": t, "weight": float(w[k]),
                         "keeps_first_from": float(lam[keeps].min()) if keeps.any() else None,
                         "keeps_first_to": float(lam[keeps].max()) if keeps.any() else None})
        return pd.DataFrame(rows)

    def to_dict(self) -> dict:
        ov = self.overturn()
        return {
            "weights": self.weights,
            "ranking": [{"name": n, "score": float(self.total[n]),
                         "contributions": {t: float(self.contributions.loc[n, t]) for t in TRAITS}}
                        for n in self.ranking],
            "matches_essay": self.matches_essay,
            "overturn": ov,
        }

    def summary(self) -> str:
        ov = self.overturn()
        rank = ", ".join(f"{n} {self.total[n]:.3f}" for n in self.ranking)
        tail = (f"moving {ov['weight_moved']:.1%} of the weight ties {ov['challenger']} with {self.leader}"
                if ov["challenger"] else "no weights overturn first place")
        return f"Who blinks first: {rank}. Essay's order {'holds' if self.matches_essay else 'does NOT hold'}; {tail}."

    def __repr__(self) -> str:
        return f"BlinkResult(ranking={self.ranking}, matches_essay={self.matches_essay})"
