"""`dih-dash member-report`: the member's own one-page report (spec/edih-services.md §6).

    dih-dash member-report --member DEMO-004 --format pdf --lang ro --out raport.pdf
    dih-dash member-report --all --format pdf --out rapoarte/

With --all, one file per member goes into the folder (`member-report-<id>-<lang>.<fmt>`),
with progress on stderr; the real members only, or the demo cohort while nothing real is stored,
as on the pages. Each file is written whole or not at all (`write_atomic`).

Exit status: 0 written; 1 a file could not be written; 2 a usage error or an unknown
member; 3 the store (or the settings it needs) could not be opened, as for `import`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from dih_dash.cli.common import EXIT_STORE, STORE_ERRORS, fail
from dih_dash.cli.errors import one_line
from dih_dash.domain.demo_rule import displayed, shows_real
from dih_dash.domain.scoring import score_assessments
from dih_dash.exports.member_report import (
    NationalDii,
    file_name,
    member_ids,
    national_dii,
    received_services,
    render,
    report_for,
)
from dih_dash.files import write_atomic
from dih_dash.i18n import LANGS
from dih_dash.settings import Settings, load_settings
from dih_dash.sources.services import ServicesFileError, load_services
from dih_dash.store import open_store
from dih_dash.store.national_data import load_national
from dih_dash.store.services_store import load_services as load_delivered

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser(
        "member-report",
        help="write a member's own one-page report (pdf or html)",
        description=(
            "Write the one-page report a member receives about itself: its scores per round "
            "beside the median of its kind, its band, its DII against Romania's and the "
            "EU's SMEs, the services it received, suggested services and when its next "
            "assessment is due. It names no other member."
        ),
        epilog="Exit status: 0 written; 1 a file could not be written; 2 usage error or "
        "unknown member; 3 the store could not be opened.",
    )
    who = cmd.add_mutually_exclusive_group(required=True)
    who.add_argument("--member", metavar="ID", help="the member's id (any letter case)")
    who.add_argument("--all", action="store_true", help="one file per member into --out DIR")
    cmd.add_argument("--format", choices=("pdf", "html"), required=True, help="file type")
    cmd.add_argument(
        "--lang", choices=LANGS, help="language (default: the DIH_DASH_DEFAULT_LANG setting)"
    )
    cmd.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="PATH|DIR",
        help="the file to write (--member) or the folder to write into (--all)",
    )
    cmd.add_argument(
        "--db", metavar="URL", help="member store URL (default: the DIH_DASH_DATABASE_URL setting)"
    )
    cmd.set_defaults(handler=run_member_report)


def _fail(message: str, code: int) -> int:
    return fail("member-report", code, message)


def _national(settings: Settings) -> tuple[NationalDii, ...]:
    """Eurostat's DII figures, or none (with a warning): a member's report is still worth
    sending without the national comparison."""
    try:
        return national_dii(load_national(settings).tidy)
    except (OSError, ValueError, KeyError) as exc:
        print(f"warning: no national DII figures: {one_line(exc)}", file=sys.stderr)
        return ()


def run_member_report(args: argparse.Namespace) -> int:
    out: Path = args.out
    try:
        settings = load_settings()
        months = settings.reassess_months
        store = open_store(settings, args.db)
    except STORE_ERRORS as exc:
        return _fail(f"cannot open the store: {one_line(exc)}", EXIT_STORE)
    try:
        frame = score_assessments(
            store.load_assessments(include_demo=True),
            settings.dma_band_bounds,
            settings.dii_band_bounds,
        )
        delivered = load_delivered(store, include_demo=True)
    except SQLAlchemyError as exc:
        return _fail(f"the store failed: {one_line(exc)}", EXIT_STORE)
    finally:
        store.close()
    # As on the pages: real or demo, decided once for the whole store (domain.demo_rule).
    real = shows_real(frame, delivered)
    delivered = displayed(delivered, real)
    # Split once by member, not searched again for each of --all's members.
    linked = delivered[delivered["member_id"].notna()]
    delivered_to = {
        str(member): rows
        for member, rows in linked.groupby(linked["member_id"].map(lambda v: str(v).casefold()))
    }

    if args.all:
        if out.exists() and not out.is_dir():
            return _fail(f"--out {out}: not a folder (--all writes one file each)", EXIT_USAGE)
        chosen = member_ids(displayed(frame, real))
    else:
        if out.is_dir():
            return _fail(f"--out {out}: is a folder; give a file name", EXIT_USAGE)
        wanted = str(args.member).strip().casefold()
        found = [m for m in member_ids(frame) if m.strip().casefold() == wanted]
        if not found:
            return _fail(f"no member with id {args.member!r} in the store", EXIT_USAGE)
        chosen = found[:1]

    try:
        services = load_services(settings.services_file)
    except (ServicesFileError, OSError) as exc:
        print(f"warning: no suggested services: {one_line(exc)}", file=sys.stderr)
        services = {}
    national = _national(settings)
    lang = args.lang or settings.default_lang
    total = len(chosen)
    for done, member_id in enumerate(chosen, start=1):
        report = report_for(
            frame,
            member_id,
            national=national,
            received=received_services(
                delivered_to.get(member_id.casefold(), delivered.iloc[:0]), member_id, lang
            ),
            services=services,
            reassess_months=months,
            min_group=settings.min_group_size,
            dma_bounds=settings.dma_band_bounds,
        )
        target = out / file_name(member_id, lang, args.format) if args.all else out
        try:
            content = render(report, lang, args.format)
        except OSError as exc:  # a font file missing, say: the same for every member
            return _fail(f"cannot make the report: {one_line(exc)}", EXIT_FAILED)
        try:
            write_atomic(target, content)
        except OSError as exc:
            return _fail(f"cannot write {target}: {one_line(exc)}", EXIT_FAILED)
        if args.all:
            print(f"[{done}/{total}] {member_id}", file=sys.stderr)
        else:
            print(target)
    if args.all:
        print(f"{out}: {total} {args.format} reports")
    return EXIT_OK
