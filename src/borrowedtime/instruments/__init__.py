"""Debt instruments: cash-flow arithmetic shared by the treadmill, the credit layer and the cascade."""

from borrowedtime.instruments.payoffs import (  # noqa: E402  (after the loan arithmetic's docstring)
    AbsWaterfall,
    CorporateBond,
    Equity,
    GpuTermLoan,
    TakeOrPayLease,
    payoff_table,
)

__all__ = ["AbsWaterfall", "CorporateBond", "Equity", "GpuTermLoan", "TakeOrPayLease", "payoff_table"]
