"""Debt instruments: cash-flow arithmetic shared by the treadmill, the credit layer and the cascade."""
