"""`dih-dash report`: the workshop deck (PowerPoint) or report (HTML) from the command
line, the same slides as the presentation page.

    dih-dash report --format pptx --lang ro --out atelier.pptx --public

Progress goes to stderr, the result line (path and slide count) to stdout. The file is
written to a temporary file beside the target and renamed over it, so an interrupted run
never leaves half a deck where the last good one was.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from dih_dash.cli.errors import one_line
from dih_dash.exports.deck import DeckConfigError, Slide, build_deck, load_slide_specs
from dih_dash.exports.html_report import deck_html
from dih_dash.exports.pptx_deck import deck_pptx
from dih_dash.files import write_atomic
from dih_dash.i18n import LANGS
from dih_dash.services.deck import load_deck_inputs
from dih_dash.settings import SettingsError, load_settings

EXIT_OK = 0
EXIT_FAILED = 1
BAR_WIDTH = 20

# Failures a user can act on (bad setting, slides file, store, output path); each gives
# a one-line message and exit 1 instead of a traceback.
_EXPECTED = (SettingsError, DeckConfigError, SQLAlchemyError, OSError, ValueError)


def register(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser(
        "report",
        help="write the workshop deck (pptx) or report (html)",
        description=(
            "Write the workshop slides of the presentation page (config/slides.toml, or "
            "DIH_DASH_SLIDES_FILE) as a PowerPoint deck with native charts, or as one "
            "self-contained HTML file that opens offline. Never shows a company name."
        ),
    )
    report.add_argument("--format", choices=("pptx", "html"), required=True, help="file type")
    report.add_argument(
        "--lang",
        choices=LANGS,
        help="language of the slides (default: the DIH_DASH_DEFAULT_LANG setting)",
    )
    report.add_argument("--out", type=Path, required=True, metavar="PATH", help="file to write")
    report.add_argument(
        "--public",
        action="store_true",
        help="hide member groups smaller than the minimum group size, as the public pages "
        "do (without it: a report for hub staff, small groups shown)",
    )
    report.add_argument(
        "--db",
        metavar="URL",
        help="member store URL (default: the DIH_DASH_DATABASE_URL setting)",
    )
    report.set_defaults(handler=run_report)


def run_report(args: argparse.Namespace) -> int:
    out: Path = args.out
    try:
        _check_folder(out)  # before the work, not after it
        settings = load_settings()
        if args.db:
            settings = dataclasses.replace(settings, database_url=args.db)
        lang = args.lang or settings.default_lang
        specs = load_slide_specs(settings.slides_file)
        bar = ProgressBar(sys.stderr, total=len(specs) + 1)
        bar.update(0, "loading national data and member assessments")
        inputs = load_deck_inputs(settings)
        slides = build_deck(inputs, specs, lang, public=args.public)
        bar.update(1, f"built {len(slides)} slides")

        def step(index: int, total: int, slide: Slide) -> None:
            bar.update(index + 1, f'writing slide {index}/{total} "{slide.title}"')

        if args.format == "pptx":
            data = deck_pptx(slides, lang, progress=step)
            # The deck opens with an unnumbered cover; the slides keep the page's numbers.
            detail = f"{len(slides) + 1} slides (a cover and {len(slides)} numbered)"
        else:
            data = deck_html(slides, lang, progress=step).encode("utf-8")
            detail = f"{len(slides)} slides"
        bar.done("done")
        _write_report(out, data)
    except _EXPECTED as exc:
        print(f"dih-dash report: {one_line(exc)}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{out}: {detail}, {len(data) / 1024:,.0f} KB")
    return EXIT_OK


class ProgressBar:
    """`[#####-----] 3/7 message` on one line, redrawn in place on a terminal; one line
    per step otherwise (logs and captured output stay readable)."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream = stream
        self.total = max(total, 1)
        self.live = stream.isatty()

    def update(self, done: int, message: str) -> None:
        filled = round(BAR_WIDTH * min(done, self.total) / self.total)
        line = f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {done}/{self.total} {message}"
        if self.live:
            columns = _terminal_columns()
            self.stream.write("\r\x1b[2K" + line[: columns - 1])
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def done(self, message: str) -> None:
        self.update(self.total, message)
        if self.live:
            self.stream.write("\n")
            self.stream.flush()


def _write_report(path: Path, data: bytes) -> None:
    _check_folder(path)
    write_atomic(path, data)


def _check_folder(path: Path) -> Path:
    folder = path.parent
    if not folder.is_dir():
        raise OSError(f"cannot write {path}: the folder {folder} does not exist")
    if path.is_dir():
        raise OSError(f"cannot write {path}: it is a folder")
    return folder


def _terminal_columns() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 100
