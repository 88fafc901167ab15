"""How the network's objects print: ``str()`` is their ``summary()``, ``repr()`` is ``<Class details>``."""

from __future__ import annotations


class Described:
    """Mixin for the frozen results of :mod:`borrowedtime.network` (dataclasses declared with ``repr=False``).

    Subclasses define :meth:`summary` (one or two lines for people) and :meth:`_repr_details`
    (the few numbers that identify the object in a ``repr``).
    """

    def summary(self) -> str:
        raise NotImplementedError

    def _repr_details(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._repr_details()}>"

    def __str__(self) -> str:
        return self.summary()
