"""`dih-dash services link "NAME" MEMBER_ID` (spec/edih-services.md §3.3).

A customer of the EDIH services export is named, not identified; when its name matches no
stored member (or several), staff link it here once, and every stored and future service
row whose customer folds to the same name belongs to that member.

Exit status, as `import`: 0 linked; 2 no member with that id (or a usage error, which
argparse reports itself); 3 the store could not be opened or written.
"""

from __future__ import annotations

import argparse
import sys

from dih_dash.cli.common import cli_actor, db_option, with_store
from dih_dash.services.importing import EXIT_REFUSED
from dih_dash.services.services_import import link_customer
from dih_dash.settings import Settings
from dih_dash.store import Store

EXIT_OK = 0


def register(subparsers: argparse._SubParsersAction) -> None:
    services = subparsers.add_parser(
        "services",
        help="services delivered: link a customer's name to a member",
        description="Services delivered to the hub's customers (import them with dih-dash import).",
    )
    actions = services.add_subparsers(dest="services_action", metavar="ACTION", required=True)
    link = actions.add_parser(
        "link",
        help="link a customer's name to a member, for every stored and future service",
        description=(
            "Link the customer NAME of the EDIH services export to the member MEMBER_ID. "
            "Names are compared folded (case, diacritics, punctuation, white space, legal "
            "forms such as SRL or S.A.), so one link serves every spelling that folds alike."
        ),
        epilog="Exit status: 0 linked; 2 no member with that id; 3 the store failed.",
    )
    link.add_argument("name", metavar="NAME", help="the customer's name as in the export")
    link.add_argument("member_id", metavar="MEMBER_ID", help="the member's id in the store")
    db_option(link)
    link.set_defaults(handler=run_link)


def run_link(args: argparse.Namespace) -> int:
    name = " ".join(str(args.name).split())
    member_id = str(args.member_id).strip()
    if not name or not member_id:
        print("dih-dash services link: NAME and MEMBER_ID must not be empty", file=sys.stderr)
        return EXIT_REFUSED

    def work(store: Store, _settings: Settings) -> int:
        linked = link_customer(store, name, member_id, cli_actor())
        if linked is None:
            print(
                f"dih-dash services link: no member with id {member_id!r} is stored",
                file=sys.stderr,
            )
            return EXIT_REFUSED
        print(f"Linked “{name}” to {member_id.upper()}: {linked} stored services now theirs.")
        return EXIT_OK

    return with_store("services link", args, work)
