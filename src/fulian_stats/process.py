"""The command-line process's footing under a memory limit (ulimit -v, a container's
cap), made before anything heavy is imported.

Under a tight address-space limit the failures that are not Python's come first:
OpenBLAS, loaded with numpy, reserves a buffer per core and, when it cannot, prints an
English line and exits 1 (the code for "the data has errors"); glibc loads libgcc_s
only when a thread ends, and aborts when it cannot. So: one BLAS buffer (the tool does
no linear algebra), libgcc_s loaded while there is room, and a limit below what the
imports alone take refused at once with one Chinese line. Libraries' warnings are
English and for developers: off, unless asked for with python -W.
"""

from __future__ import annotations

import os
import sys
import warnings

from fulian_stats.errors import MachineError

try:
    import resource
except ImportError:  # Windows: no address-space limit to work under
    resource = None

MB = 1 << 20
# numpy, pandas, calamine and openpyxl imported take 170 MB of address space here, and
# writing a Word report (lxml) 260 MB. Below that, libraries that run out fail in their
# own ways (a half-imported pandas, lxml's "unknown error"), not with a MemoryError.
MINIMUM_ADDRESS_SPACE = 320 * MB


def prepare() -> None:
    if not sys.warnoptions:
        warnings.simplefilter("ignore")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if resource is None or not hasattr(resource, "RLIMIT_AS"):
        return
    limit, _ = resource.getrlimit(resource.RLIMIT_AS)
    if limit == resource.RLIM_INFINITY:
        return
    if limit < MINIMUM_ADDRESS_SPACE:
        raise MachineError(f"内存上限（{limit // MB}MB）过低，本程序至少需要{MINIMUM_ADDRESS_SPACE // MB}MB；"
                           "请放宽上限（如 ulimit -v）后重试")
    import ctypes

    try:
        ctypes.CDLL("libgcc_s.so.1")
    except OSError:
        pass  # not glibc, or not Linux: nothing to load ahead
