"""Member survey files → `RawTable` (spec/survey-format.md §4).

The reader decides the format from the bytes, not from the file name (a CSV saved as
`.xlsx` by mistake is still read), and keeps every cell as the text it holds: turning
text into numbers and dates is validation's job, where every failure can be named.

One module per concern:

* `detection` — the entry point, `read_table`: size, emptiness, and which reader the
  first bytes call for (OLE: refused; ZIP: XLSX; anything else: text);
* `decoding` — bytes → text: BOMs, UTF-8 (damaged bytes kept as U+FFFD and reported by
  row, never re-read as another encoding), Windows-1250 / ISO-8859-2, NUL and control
  characters refused naming their line;
* `csv_reader` — text → records: the separator, Arrow's CSV reader or the csv module;
* `xlsx_guard` — what calamine may be given: ZIP bombs, sheets too large, shared-string
  tables too large, all found in the packed bytes before calamine allocates anything;
* `xlsx_reader` — the workbook through calamine, first sheet or the one named for answers;
* `table` — records → the Arrow-backed columns of the table, shared by both readers.
"""

from __future__ import annotations

from dih_dash.domain.phrases import FileRefused
from dih_dash.domain.survey_table import RawTable
from dih_dash.sources.survey_files.csv_reader import DELIMITER_NAMES, DELIMITERS
from dih_dash.sources.survey_files.detection import read_table, too_large
from dih_dash.sources.survey_files.table import MAX_COLUMNS
from dih_dash.sources.survey_files.xlsx_guard import MAX_CELLS
from dih_dash.sources.survey_files.xlsx_reader import PREFERRED_SHEETS

__all__ = [
    "DELIMITERS",
    "DELIMITER_NAMES",
    "MAX_CELLS",
    "MAX_COLUMNS",
    "PREFERRED_SHEETS",
    "FileRefused",
    "RawTable",
    "read_table",
    "too_large",
]
