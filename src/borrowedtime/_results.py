"""What result objects share: ``str(result)`` (and for some ``repr``) shows the short :meth:`summary`.

Result objects are frozen dataclasses with ``to_frame()``, a short ``summary()``
and a short ``repr``; printing one shows the summary.
"""

from __future__ import annotations

__all__ = ["Summarised", "SummaryRepr"]


class Summarised:
    """Mixin for result objects that define ``summary() -> str``: ``str(result)`` is that summary.

    The ``repr`` stays each class's own (dataclass-generated or written out).
    """

    __slots__ = ()

    def __str__(self) -> str:
        return self.summary()


class SummaryRepr:
    """Mixin: ``repr(result)`` is ``<ClassName summary>``.

    A dataclass writes its own ``__repr__`` over an inherited one: declare it with ``repr=False``.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.summary()}>"
