"""What every result object shares: ``str(result)`` is its short :meth:`summary`.

Result objects are frozen dataclasses with ``to_frame()``, a short ``summary()``
and a short ``repr``; printing one shows the summary.
"""

from __future__ import annotations

__all__ = ["Summarised"]


class Summarised:
    """Mixin for result objects that define ``summary() -> str``: ``str(result)`` is that summary.

    The ``repr`` stays each class's own (dataclass-generated or written out).
    """

    __slots__ = ()

    def __str__(self) -> str:
        return self.summary()
