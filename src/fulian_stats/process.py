"""The command-line process's footing under a memory limit (ulimit -v, a container's
cap), made before anything heavy is imported.

Under a tight address-space limit the failures that are not Python's come first:
OpenBLAS, loaded with numpy, reserves a buffer per core and, when it cannot, prints an
English line and exits 1 (the code for "the data has errors"); glibc loads libgcc_s
only when a thread ends, and aborts when it cannot. So: one BLAS buffer (the tool does
no linear algebra), libgcc_s loaded while there is room, and a limit below what the
imports alone take refused at once with one Chinese line. Libraries' warnings are
English and for developers: off, unless asked for with python -W. And a file name that
is not UTF-8 (a Windows zip unpacked here: GBK bytes) is written out as GBK read it,
never as bytes that make the output invalid UTF-8 (and its JSON unreadable).
"""

from __future__ import annotations

import codecs
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


def _names_as_gbk(error: UnicodeEncodeError) -> tuple[bytes, int]:
    """The undecodable bytes of a name (each a lone surrogate, as Python keeps them), as
    GB18030 reads them, in UTF-8 (the encoder takes bytes, or ASCII text only); what
    GB18030 cannot read becomes �."""
    text, end = error.object, error.end
    # GBK bytes that happen to be valid UTF-8 were decoded as a letter of U+0080–U+07FF
    # (白沙镇's 沙 is C9 B3, ɳ): part of the name when more undecodable bytes follow
    # (a 「·」 after the name is the text's own).
    while end < len(text):
        more = end
        while more < len(text) and 0x80 <= ord(text[more]) <= 0x7FF:
            more += 1
        if more < len(text) and 0xDC80 <= ord(text[more]) <= 0xDCFF:
            end = more + 1
        else:
            break
    raw = b"".join(bytes([ord(c) - 0xDC00]) if 0xDC80 <= ord(c) <= 0xDCFF else c.encode("utf-8", "replace")
                   for c in text[error.start:end])
    return raw.decode("gb18030", "replace").encode("utf-8"), end


codecs.register_error("fulian_names", _names_as_gbk)


def prepare() -> None:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower().replace("-", "") == "utf8":
            stream.reconfigure(errors="fulian_names")
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
