"""`contractbot import index NAME FILE.csv`: all-or-nothing, every bad row printed with its line number."""

from __future__ import annotations

import argparse
import sys

from bot.cli_support import CliError
from bot.clock import SystemClock
from bot.errors import DomainError
from bot.i18n import t
from bot.index_csv import IndexImportRejected, import_csv
from bot.revision_input import read_index_name
from bot.settings import Settings
from storage.db import open_database

ACTOR = "import"


def import_index(settings: Settings, args: argparse.Namespace) -> int:
    if args.index_file is None:
        raise CliError("usage: contractbot import index NAME FILE.csv")
    try:
        name = read_index_name(str(args.file))
    except DomainError as exc:
        raise CliError(t("en", exc.key, **exc.values)) from None
    path = args.index_file
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {path}: {exc}") from None
    _engine, factory = open_database(settings.database_url)
    try:
        with factory.begin() as session:
            added, corrected, unchanged = import_csv(session, name=name, text=text, actor=ACTOR,
                                                     now=SystemClock().now())
    except IndexImportRejected as exc:
        for line, key, values in exc.errors:
            print(f"{path}:{line}: {t('en', key, **values)}", file=sys.stderr)
        print(f"import refused: {len(exc.errors)} bad row(s); nothing was imported", file=sys.stderr)
        return 1
    print(f"imported {name}: {added} added, {corrected} corrected, {unchanged} unchanged")
    return 0
