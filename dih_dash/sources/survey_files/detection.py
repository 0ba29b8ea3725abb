"""The entry point: which reader a file's first bytes call for (spec §4)."""

from __future__ import annotations

import math
import re

from dih_dash.domain.phrases import FileRefused
from dih_dash.domain.survey_table import RawTable
from dih_dash.sources.survey_files.csv_reader import read_csv
from dih_dash.sources.survey_files.decoding import decode_text
from dih_dash.sources.survey_files.xlsx_guard import ZIP_MAGIC
from dih_dash.sources.survey_files.xlsx_reader import read_xlsx

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
# What `bytes.strip()` removes: a file of nothing else is empty.
_NOT_BLANK_BYTE = re.compile(rb"[^ \t\n\r\x0b\x0c]")


def too_large(size: int, max_bytes: int) -> FileRefused:
    """The refusal of a file of `size` bytes over the `max_bytes` limit (for callers that
    know the size before reading the file)."""
    return FileRefused(
        "too_large",
        # Rounded up, so a file just over a 50 MB limit never reads as "50 MB".
        size_mb=math.ceil(size / 1_048_576 * 10) / 10,
        limit_mb=round(max_bytes / 1_048_576, 1),
    )


def read_table(data: bytes, filename: str, *, max_bytes: int, max_rows: int) -> RawTable:
    """The table in `data` (CSV/TXT or XLSX); `FileRefused` when the file cannot be read."""
    if len(data) > max_bytes:
        raise too_large(len(data), max_bytes)
    if not _NOT_BLANK_BYTE.search(data):  # `not data.strip()`, without copying the file
        raise FileRefused("empty")
    if data.startswith(_OLE_MAGIC):
        # An encrypted XLSX is an OLE container holding an `EncryptedPackage` stream; any
        # other OLE file is a legacy .xls (or .doc), which the contract does not take.
        if _ENCRYPTED_STREAM in data or filename.lower().endswith((".xlsx", ".xlsm")):
            raise FileRefused("xlsx_encrypted")
        raise FileRefused("xls_legacy")
    if data.startswith(ZIP_MAGIC):
        return read_xlsx(data, max_bytes=max_bytes, max_rows=max_rows)
    return read_csv(decode_text(data), max_rows=max_rows)
