"""One BLAS thread while the regressions run.

The analysis fits hundreds of tall, narrow least-squares problems (n up to ~150,000 rows, k ~ 12
columns). Multithreaded OpenBLAS gains little on them and, on a machine whose cores are busy, loses a lot:
at scale 0.1 one firm-panel fit took 0.55 s with OpenBLAS's default threads against 0.07 s with one. The
thread count is set through the OpenBLAS library numpy loaded (what threadpoolctl does, without the
dependency) and restored afterwards; where that library cannot be found this is a no-op.
"""

from __future__ import annotations

import ctypes
from contextlib import contextmanager
from pathlib import Path

_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads64_",
            "openblas_set_num_threads")
_GETTERS = ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads", "openblas_get_num_threads64_",
            "openblas_get_num_threads")


def _openblas_libraries() -> list[ctypes.CDLL]:
    import numpy  # noqa: F401  (loads the library whose threads are set)

    maps = Path("/proc/self/maps")
    if not maps.exists():
        return []
    paths = sorted({line.split()[-1] for line in maps.read_text().splitlines()
                    if "openblas" in line.lower() and line.split()[-1].startswith("/")})
    libs = []
    for path in paths:
        try:
            libs.append(ctypes.CDLL(path))
        except OSError:
            continue
    return libs


def _functions(lib: ctypes.CDLL):
    setter = next((getattr(lib, n) for n in _SETTERS if hasattr(lib, n)), None)
    getter = next((getattr(lib, n) for n in _GETTERS if hasattr(lib, n)), None)
    return setter, getter


@contextmanager
def blas_threads(n: int = 1):
    """Run the block with ``n`` OpenBLAS threads, then restore the previous count."""
    restore = []
    try:
        for lib in _openblas_libraries():
            setter, getter = _functions(lib)
            if setter is None or getter is None:
                continue
            restore.append((setter, int(getter())))
            setter(int(n))
    except Exception:   # an unusual BLAS build: run with whatever it does
        pass
    try:
        yield
    finally:
        for setter, previous in restore:
            setter(previous)
