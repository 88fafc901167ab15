"""``borrowedtime capex``: funding against cash flow, the Nash flip, who blinks first, the bull cases."""

from __future__ import annotations

from typing import Annotated

import typer

from borrowedtime.cli._app import app, error_boundary, print_lines, stderr, write_json
from borrowedtime.errors import SpecError


def _ratings(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            raise SpecError(f"--rating: expected FIRM=SYMBOL such as oracle=BBB- or oracle=Baa3; got {item!r}")
        firm, symbol = (s.strip() for s in item.split("=", 1))
        out[firm] = symbol
    return out


def _players(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [p.strip() for p in text.split(",") if p.strip()]
    if not names:
        raise SpecError(f"--players: empty player list ({text!r}); name at least two, e.g. meta,google")
    return names


@app.command()
def capex(
    weights: Annotated[str | None, typer.Option(
        "--weights", help="Blink weights, e.g. 'control_credibility=0.4,negative_free_cash_flow=0.3' "
        "(unnamed traits get 0; normalised to sum 1).")] = None,
    players: Annotated[str | None, typer.Option(
        "--players", help="Players of the game, comma-separated (default: the five hyperscalers).")] = None,
    ocf_growth: Annotated[float | None, typer.Option(
        "--ocf-growth", help="Operating cash-flow growth a year beyond the last filing, decimal (default 0.15).")] = None,
    rating: Annotated[list[str] | None, typer.Option(
        "--rating", help="Override a current rating, FIRM=SYMBOL (S&P or Moody's); repeatable.")] = None,
    belief: Annotated[float, typer.Option(
        "--belief", help="The market's belief in the boom regime when the first mover cuts (0-1).")] = 0.6,
    first_mover: Annotated[str | None, typer.Option(
        "--first-mover", help="Who cuts first in the cascade (default: the blink leader).")] = None,
    complementarity: Annotated[float | None, typer.Option(
        "--complementarity", help="The game's k: re-rating of own growth per unit of rivals' growth (default 1.5).")] = None,
    cost: Annotated[float | None, typer.Option(
        "--cost", help="The game's c: convex cost of capex growth (default 1.0).")] = None,
    bull_param: Annotated[list[str] | None, typer.Option(
        "--bull", help="Bull-case parameter, case.parameter=value (e.g. releasing_glut.discounts=0.2;0.4); "
        "repeatable.")] = None,
    cut_punished: Annotated[bool, typer.Option(
        "--cut-punished", help="The market punishes the first cut instead of cheering it.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Write JSON to stdout.")] = False,
) -> None:
    """The capex machine: capex vs operating cash flow, leverage and notches, the Nash flip, who blinks, bull cases."""
    with error_boundary():
        from borrowedtime.capex.bull import parse_bull_params
        from borrowedtime.capex.machine import run_capex

        with stderr.status("solving the capex game", spinner="dots") if stderr.is_terminal else _null():
            try:
                result = run_capex(weights=weights, players=_players(players), ocf_growth=ocf_growth,
                                   ratings=_ratings(rating or []), belief=belief, first_mover=first_mover,
                                   cut_rewarded=not cut_punished, complementarity=complementarity, cost=cost,
                                   bull=parse_bull_params(bull_param or []))
            except SpecError as exc:  # name the flag, not the keyword
                msg = str(exc)
                for keyword, flag in (("players:", "--players:"), ("rating_overrides:", "--rating:"),
                                      ("unknown first mover", "--first-mover: unknown first mover")):
                    if msg.startswith(keyword):
                        raise SpecError(flag + msg.removeprefix(keyword)) from None
                raise
        doc = result.to_dict()
    if as_json:
        write_json(doc)
        return
    print_lines(result.summary())


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
