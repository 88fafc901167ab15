"""The package's one numba wrapper: ``jit`` compiles when numba is installed, else returns Python.

After ``arch/compat/numba.py``. Conventions every kernel follows:

* A kernel is written once as plain Python over arrays and decorated with
  :func:`jit`; that source is its Python twin. :func:`python_twin` returns it
  as a function that really runs as Python *all the way down*: its compiled
  callees are replaced by their own Python twins (``py_func`` alone would
  still call compiled code).
* Where NumPy can state the same computation vectorised, that version
  (``*_numpy``) is the specification the twin tests compare against.
* ``tests/test_kernel_twins.py`` pairs every kernel with its twin (bitwise,
  or a stated tolerance with the reason); CI also runs it with
  ``NUMBA_DISABLE_JIT=1``.
* Without numba every kernel runs as Python and one :class:`PerformanceWarning`
  says so (once per kernel, at its first call).
"""

from __future__ import annotations

import functools
import types
import warnings
from collections.abc import Callable

import numpy as np

from borrowedtime.errors import BorrowedTimeWarning

__all__ = ["HAS_NUMBA", "jit", "jit_parallel", "prange", "python_twin", "stack_zeros", "PerformanceWarning"]


class PerformanceWarning(BorrowedTimeWarning):
    """A slow fallback is in use (numba not installed)."""


try:
    import numba as _numba

    HAS_NUMBA = True
    prange = _numba.prange
except ImportError:  # pragma: no cover - CI installs numba
    _numba = None
    HAS_NUMBA = False
    prange = range

_PYTHON: dict[int, Callable] = {}  # id(kernel object) -> plain-Python source function


def jit(func: Callable | None = None, *, parallel: bool = False, fastmath: bool | set[str] = False,
        nogil: bool = False, error_model: str = "python"):
    """Compile ``func`` with ``numba.njit(cache=True, ...)``, or return a warning Python fallback.

    Parameters
    ----------
    func : callable, optional
        The kernel (plain Python over arrays and scalars). Without it, returns a decorator.
    parallel : bool, default False
        numba's parallel loops (``prange``).
    fastmath : bool or set of str, default False
        numba's fastmath flags. Kernels use at most ``{"reassoc", "nsz", "contract"}``
        on pure sums, which keeps results deterministic for the same inputs but
        not bitwise equal to the Python twin (the twin tests state a tolerance).
    nogil : bool, default False
        Release the GIL (kernels called from the Monte Carlo thread pool).
    error_model : {"python", "numpy"}, default "python"
        numba's division semantics. ``"numpy"`` drops the check for a zero
        divisor (IEEE results instead of an exception), which lets the compiler
        vectorise a loop that divides; a kernel using it must never divide by
        zero, so that its Python twin (which would raise) computes the same.
    """

    def wrap(f: Callable) -> Callable:
        if HAS_NUMBA:
            compiled = _numba.njit(cache=True, parallel=parallel, fastmath=fastmath, nogil=nogil,
                                   error_model=error_model)(f)
            _PYTHON[id(compiled)] = f
            return compiled

        @functools.wraps(f)
        def fallback(*args, **kwargs):  # pragma: no cover - exercised only without numba
            if not fallback.warned:
                fallback.warned = True
                warnings.warn(f"numba is not installed; {f.__name__} runs in pure Python (slow). "
                              "pip install numba to speed it up.", PerformanceWarning, stacklevel=2)
            return f(*args, **kwargs)

        fallback.warned = False
        fallback.py_func = f
        _PYTHON[id(fallback)] = f
        return fallback

    return wrap(func) if func is not None else wrap


def jit_parallel(func: Callable) -> Callable:
    """:func:`jit` with ``parallel=True``."""
    return jit(func, parallel=True)


def _source(kernel: Callable) -> Callable:
    f = _PYTHON.get(id(kernel))
    if f is None:
        f = getattr(kernel, "py_func", None)
    if f is None:
        raise TypeError(f"{kernel!r} is not a kernel made by borrowedtime._numba.jit.")
    return f


@functools.cache
def _twin_of(f: Callable) -> Callable:
    names = f.__code__.co_names
    namespace = dict(f.__globals__)
    for name in names:
        value = namespace.get(name)
        if value is not None and (id(value) in _PYTHON or hasattr(value, "py_func")):
            namespace[name] = _twin_of(_source(value))
    if prange is not range and "prange" in names:
        namespace["prange"] = range
    twin = types.FunctionType(f.__code__, namespace, f.__name__, f.__defaults__, f.__closure__)
    twin.__doc__ = f.__doc__
    return twin


def python_twin(kernel: Callable) -> Callable:
    """The kernel's plain-Python twin, calling the Python twins of its compiled callees.

    Raises
    ------
    TypeError
        ``kernel`` was not made by :func:`jit`.
    """
    return _twin_of(_source(kernel))


def stack_zeros(rows: int, cols: int | None = None):
    """A small zeroed float64 scratch array, ``(rows,)`` or ``(rows, cols)``.

    In Python (and in every kernel's twin) it is ``numpy.zeros``. Inside a
    compiled kernel, with sizes the compiler knows (literal ints or constants
    the kernel closes over), it lives on the kernel's stack instead of the
    heap, so that loops over it with constant trip counts can be unrolled and
    its entries kept in registers: a kernel written once for any size runs as
    fast as one written out by hand for each size. It must not outlive the
    kernel (never return it).
    """
    return np.zeros(rows if cols is None else (rows, cols))


if HAS_NUMBA:
    from numba import carray as _carray
    from numba.core import cgutils as _cgutils
    from numba.core import types as _types
    from numba.core.errors import TypingError as _TypingError
    from numba.extending import intrinsic as _intrinsic
    from numba.extending import overload as _overload

    @_intrinsic
    def _stack_f8(typingctx, size):
        """Pointer to ``size`` zeroed float64 slots allocated in the entry block of the compiled caller."""
        if not isinstance(size, _types.IntegerLiteral):
            return None
        n = size.literal_value

        def codegen(context, builder, signature, args):
            ptr = _cgutils.alloca_once(builder, context.get_value_type(_types.float64), size=n)
            zero = context.get_constant(_types.float64, 0.0)
            for i in range(n):
                builder.store(zero, _cgutils.gep(builder, ptr, i))
            return ptr

        return _types.CPointer(_types.float64)(size), codegen

    @_overload(stack_zeros, inline="always")  # inlined: the slots belong to the calling kernel's frame
    def _stack_zeros(rows, cols=None):
        if not isinstance(rows, _types.IntegerLiteral):
            raise _TypingError("stack_zeros needs sizes known when compiling")
        r = rows.literal_value
        if cols is None or isinstance(cols, _types.NoneType | _types.Omitted):
            return lambda rows, cols=None: _carray(_stack_f8(r), (r,))
        if not isinstance(cols, _types.IntegerLiteral):
            raise _TypingError("stack_zeros needs sizes known when compiling")
        c = cols.literal_value
        n = r * c
        return lambda rows, cols=None: _carray(_stack_f8(n), (r, c))
