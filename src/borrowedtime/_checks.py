"""The project's one message for a model parameter outside its range.

Specs check their parameters in ``__post_init__`` and raise
:class:`~borrowedtime.errors.SpecError` worded as
``The 'bins' parameter of Calibration must be >= 2. Got 1.``; :func:`require`
writes that sentence once.
"""

from __future__ import annotations

from borrowedtime.errors import SpecError

__all__ = ["require"]


def require(ok: bool, spec: object, name: str, rule: str, *, instead: bool = False) -> None:
    """Raise the parameter's :class:`~borrowedtime.errors.SpecError` unless ``ok``.

    Parameters
    ----------
    ok : bool
        The condition the parameter must meet (NaN comparisons are False, so
        write the condition the value must satisfy, not its negation).
    spec : object
        The spec whose attribute ``name`` is checked (its class names it in the message).
    name : str
        The parameter (attribute) name.
    rule : str
        What it must be, as the message states it (``"> 0"``, ``"in [0.5, 1)"``).
    instead : bool, default False
        End the message with ``Got <value> instead.`` (the wording of some specs) rather than ``Got <value>.``.
    """
    if not ok:
        value = getattr(spec, name)
        raise SpecError(f"The '{name}' parameter of {type(spec).__name__} must be {rule}. "
                        f"Got {value!r}{' instead' if instead else ''}.")
