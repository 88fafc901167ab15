"""What a claim check may read: the complex, its views and the essay's series (computed once per audit)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from borrowedtime.complex import Complex, exposures, platform_concentration

__all__ = ["Context", "Missing", "PLATFORMS", "CAPEX_GROUP", "LABS", "independent"]

#: The "four big platforms" whose backlog the essay sums to $2.1 trillion.
PLATFORMS = ("microsoft", "oracle", "google", "amazon")
#: The hyperscalers whose filed capex and operating cash flow stand in for the
#: essay's aggregate (Microsoft's fiscal year ends 30 June).
CAPEX_GROUP = ("microsoft", "google", "amazon", "meta")
LABS = ("openai", "anthropic")


class Missing(Exception):
    """An input the claim needs is not in the dataset."""


def independent(source: str) -> bool:
    """True when a source names something besides the essay (a filing, a report)."""
    parts = [p.strip().lower() for p in source.replace(";", "|").split("|")]
    return any(p and not p.startswith("essay") for p in parts)


@dataclass
class Context:
    """The complex under audit, with its views computed on first use."""

    cx: Complex
    _cache: dict = field(default_factory=dict)

    def conc(self) -> pd.DataFrame:
        if "conc" not in self._cache:
            self._cache["conc"] = platform_concentration(self.cx).to_frame()
        return self._cache["conc"]

    def edges(self) -> pd.DataFrame:
        if "ex" not in self._cache:
            self._cache["ex"] = exposures(self.cx)
        return self._cache["ex"].edges

    def lookthrough(self) -> pd.DataFrame:
        self.edges()
        return self._cache["ex"].lookthrough

    def backlog(self, name: str, *, filed: bool = False) -> tuple[float, str]:
        """Latest backlog (and a provenance note); ``filed`` skips the essay's own figures."""
        if not self.cx.has_entity(name):
            raise Missing(f"no entity {name!r} in the dataset")
        obs = [o for o in self.cx.entity(name).observations("backlog_usd_bn")
               if not (filed and o.source.lower().startswith("essay"))]
        if not obs:
            raise Missing(f"no {'filed ' if filed else ''}backlog for {name!r}")
        o = obs[-1]
        return o.value, f"{name} {o.value:,.0f} ({o.as_of}, {'essay' if o.source.lower().startswith('essay') else 'filed'})"

    def book(self, name: str) -> tuple[float, str]:
        """Pro forma book (reported backlog + take-or-pay signed since) and a provenance note."""
        b, note = self.backlog(name, filed=True)
        added = self.cx.signed_since(name)
        if not added:
            return b, note
        extra = sum(c.notional_usd_bn.value for c in added)
        names = ", ".join(f"{c.name} {c.notional_usd_bn.value:g} ({c.as_of})" for c in added)
        return b + extra, f"{note} + {names} = {b + extra:,.0f}"

    def stated_share(self, platform: str) -> float:
        for k in self.cx.concentrations:
            if k.platform == platform and set(k.obligors) == set(LABS) and k.share is not None:
                return k.share.value
        raise Missing(f"no stated OpenAI+Anthropic share of {platform!r}'s book")

    def filed(self, name: str, metric: str, period: str):
        """One entity's observation of a metric for a named period (``FY2024``), or Missing."""
        if not self.cx.has_entity(name):
            raise Missing(f"no entity {name!r}")
        o = self.cx.entity(name).on(metric, period)
        if o is None:
            raise Missing(f"no {period} {metric.removesuffix('_usd_bn')} for {name} in the dataset")
        return o

    def annual(self) -> pd.DataFrame:
        """Filed annual capex and operating cash flow by entity and year, through the one adapter.

        :func:`borrowedtime.capex.complex_figures`: the filings' calendar-year sums of quarters where
        the filings data hold the year, else the complex's fiscal-year figure (column ``basis``).
        """
        if "annual" not in self._cache:
            from borrowedtime.capex import complex_figures

            self._cache["annual"] = complex_figures(self.cx).filed.set_index(["name", "year"])
        return self._cache["annual"]

    def filed_sum(self, metric: str, year: int, names=CAPEX_GROUP) -> float:
        """Sum over ``names`` of a filed annual figure (``capex_usd_bn`` or ``operating_cash_flow_usd_bn``)."""
        frame = self.annual()
        total = 0.0
        for n in names:
            if not self.cx.has_entity(n):
                raise Missing(f"no entity {n!r}")
            if (n, int(year)) not in frame.index:
                raise Missing(f"no FY{year} {metric.removesuffix('_usd_bn')} for {n} in the dataset")
            total += float(frame.loc[(n, int(year)), metric])
        return total

    def contract_amount(self, name: str) -> float:
        e = self.edges()
        row = e[e["contract"] == name]
        if row.empty or not np.isfinite(row["amount_usd_bn"].iloc[0]):
            raise Missing(f"no amount for contract {name!r}")
        return float(row["amount_usd_bn"].iloc[0])

    def marks(self) -> pd.Series:
        if not self.cx.has_entity("openai"):
            raise Missing("no entity 'openai'")
        obs = self.cx.entity("openai").observations("valuation_usd_bn")
        if len(obs) < 2:
            raise Missing("fewer than two OpenAI valuation marks")
        return pd.Series([o.value for o in obs], index=pd.DatetimeIndex([pd.Timestamp(o.as_of) for o in obs]))
