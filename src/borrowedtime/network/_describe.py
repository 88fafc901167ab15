"""How the network's objects print: ``str()`` is their ``summary()``, ``repr()`` is ``<Class details>``."""

from __future__ import annotations

from borrowedtime._results import Summarised


class Described(Summarised):
    """Mixin for the frozen results of :mod:`borrowedtime.network` (dataclasses declared with ``repr=False``).

    ``str()`` is :meth:`summary` (from :class:`~borrowedtime._results.Summarised`); subclasses also define
    :meth:`_repr_details` (the few numbers that identify the object in a ``repr``).
    """

    __slots__ = ()

    def summary(self) -> str:
        raise NotImplementedError

    def _repr_details(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._repr_details()}>"
