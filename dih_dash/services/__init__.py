"""The hub's use cases, shared by the command line (`dih_dash.cli`) and the pages
(`app_pages`), so both do exactly the same thing:

* `importing`: one survey file into the store (`import_file`, `ImportReport`);
* `demo`: the demo cohort in and out (`load_demo`, `remove_demo`);
* `national`: refreshing the national data, once, on request or on schedule
  (`refresh`, `manual_refresh`, `RefreshWorker`);
* `deck`: what the workshop deck and report are made from (`load_deck_inputs`).

They sit above the store, the sources and the exports and below the CLI and the pages.
"""

from __future__ import annotations

from dih_dash.services.demo import demo_file, load_demo, remove_demo
from dih_dash.services.importing import ImportReport, import_file

__all__ = ["ImportReport", "demo_file", "import_file", "load_demo", "remove_demo"]
