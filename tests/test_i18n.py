"""Translations (bot/i18n.py, bot/locales/*.py): both catalogs complete, every template formats with
what the code passes, and locale-aware money and dates."""

from __future__ import annotations

import ast
import string
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bot import i18n
from bot.i18n import fmt_date, fmt_days, fmt_money, language_of, t
from bot.locales import en, fr

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = i18n.CATALOGS
FORMATTER = string.Formatter()


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in FORMATTER.parse(template) if name is not None}


class AnyValue(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "x"


def test_every_english_key_is_in_french() -> None:
    assert sorted(set(CATALOGS["en"]) - set(CATALOGS["fr"])) == []


def test_every_french_key_is_in_english() -> None:
    assert sorted(set(CATALOGS["fr"]) - set(CATALOGS["en"])) == []


def test_i18n_uses_both_catalogs() -> None:
    assert set(i18n.CATALOGS) == {"en", "fr"}
    assert set(en.MESSAGES) <= set(i18n.CATALOGS["en"]) and set(fr.MESSAGES) <= set(i18n.CATALOGS["fr"])


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_feature_catalog_parts_do_not_repeat_a_key(lang: str) -> None:
    seen: dict[str, int] = {}
    repeated = []
    for index, part in enumerate(i18n.CATALOG_PARTS[lang]):
        for key in part:
            if key in seen:
                repeated.append((key, seen[key], index))
            seen[key] = index
    assert repeated == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_template_formats(lang: str) -> None:
    problems = []
    for key, template in CATALOGS[lang].items():
        if not isinstance(template, str) or not template.strip():
            problems.append(f"{key}: empty or not text")
            continue
        try:
            names = placeholders(template)
            template.format_map(AnyValue())
        except (KeyError, ValueError, IndexError, AttributeError) as exc:
            problems.append(f"{key}: {exc!r}")
            continue
        if any(name == "" or name.isdigit() for name in names):
            problems.append(f"{key}: positional placeholder")
    assert problems == []


def test_both_languages_use_the_same_placeholders() -> None:
    mismatched = {key: (placeholders(CATALOGS["en"][key]), placeholders(CATALOGS["fr"][key]))
                  for key in set(CATALOGS["en"]) & set(CATALOGS["fr"])
                  if placeholders(CATALOGS["en"][key]) != placeholders(CATALOGS["fr"][key])}
    assert mismatched == {}


def _t_calls() -> list[tuple[str, int, str, set[str] | None]]:
    """(file, line, key, keyword names passed — None when **values is passed) of every t(lang, "key", …)."""
    found = []
    for folder in ("bot", "handlers", "jobs", "storage"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or len(node.args) < 2:
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                key = node.args[1]
                if name != "t" or not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                    continue
                kwargs = None if any(k.arg is None for k in node.keywords) else {k.arg for k in node.keywords if k.arg}
                found.append((str(path.relative_to(ROOT)), node.lineno, key.value, kwargs))
    return found


def test_the_code_calls_t() -> None:
    assert len(_t_calls()) > 20  # the scan below would pass vacuously otherwise


def test_every_key_the_code_uses_exists() -> None:
    missing = [(f, line, key) for f, line, key, _ in _t_calls() if key not in CATALOGS["en"] or key not in CATALOGS["fr"]]
    assert missing == []


def test_the_code_passes_every_placeholder() -> None:
    """A placeholder the code does not pass fails at run time (MissingPlaceholder): find them here first."""
    short: dict[str, list[str]] = defaultdict(list)
    for path, line, key, passed in _t_calls():
        if passed is None:
            continue
        for lang, catalog in CATALOGS.items():
            if key in catalog and placeholders(catalog[key]) - passed:
                short[f"{path}:{line} {key}"].append(f"{lang} needs {sorted(placeholders(catalog[key]) - passed)}")
    assert dict(short) == {}


def test_t() -> None:
    assert t("en", "days_left", n=5) == "5 days left"
    assert t("fr", "days_left", n=5) != "5 days left" and "5" in t("fr", "days_left", n=5)
    assert t("de", "days_left", n=5) == "5 days left"  # unknown language: English
    with pytest.raises(i18n.MissingPlaceholder):  # a missing value is a bug: loud, never a blank
        t("en", "days_left")
    with pytest.raises(KeyError):
        t("en", "no such message key")


@pytest.mark.parametrize(
    ("locale", "default", "expected"),
    [("fr-FR", "en", "fr"), ("fr-CA", "en", "fr"), ("fr_FR", "en", "fr"), ("FR", "en", "fr"), ("en-US", "fr", "en"),
     ("en-GB", "fr", "en"), ("de-DE", "en", "en"), ("de-DE", "fr", "fr"), ("es-ES", "en", "en"), (None, "fr", "fr"),
     ("", "en", "en"), ("ja-JP", "fr", "fr")],
)
def test_language_of(locale: str | None, default: str, expected: str) -> None:
    assert language_of(locale, default) == expected


NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(
    ("lang", "amount", "currency", "expected"),
    [
        ("en", Decimal("120000"), "EUR", "€120,000.00"),
        ("en", Decimal("1234.5"), "GBP", "£1,234.50"),
        ("en", Decimal("0"), "EUR", "€0.00"),
        ("fr", Decimal("120000"), "EUR", f"120{NNBSP}000,00{NBSP}€"),
        ("fr", Decimal("1234.5"), "EUR", f"1{NNBSP}234,50{NBSP}€"),
        ("fr", Decimal("999.99"), "EUR", f"999,99{NBSP}€"),
    ],
)
def test_fmt_money(lang: str, amount: Decimal, currency: str, expected: str) -> None:
    assert fmt_money(lang, amount, currency) == expected


def test_fmt_money_usd_names_the_currency() -> None:
    assert "1,234.50" in fmt_money("en", Decimal("1234.5"), "USD") and "$" in fmt_money("en", Decimal(1), "USD")
    assert f"1{NNBSP}234,50" in fmt_money("fr", Decimal("1234.5"), "USD") and "$" in fmt_money("fr", Decimal(1), "USD")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_fmt_none(lang: str) -> None:
    assert fmt_money(lang, None, "EUR") == "—"
    assert fmt_date(lang, None) == "—"


@pytest.mark.parametrize(
    ("lang", "day", "expected"),
    [
        ("en", date(2027, 3, 31), "31 Mar 2027"),
        ("en", date(2027, 1, 1), "1 Jan 2027"),
        ("fr", date(2027, 3, 31), "31 mars 2027"),
        ("fr", date(2027, 1, 1), "1 janv. 2027"),
        ("fr", date(2028, 2, 29), "29 févr. 2028"),
        ("fr", date(2027, 8, 15), "15 août 2027"),
    ],
)
def test_fmt_date(lang: str, day: date, expected: str) -> None:
    assert fmt_date(lang, day) == expected


@pytest.mark.parametrize(
    ("lang", "days", "expected"),
    [("en", 0, "today"), ("en", 1, "1 day left"), ("en", 5, "5 days left"), ("en", -3, "3 days overdue")],
)
def test_fmt_days_english(lang: str, days: int, expected: str) -> None:
    assert fmt_days(lang, days) == expected


def test_fmt_days_french() -> None:
    # Expected texts written out here, not read from the catalog under test.
    assert fmt_days("fr", 0) == "aujourd'hui"
    assert fmt_days("fr", 5) == "5 jours restants"
    assert fmt_days("fr", 1) == "1 jour restant"
    assert fmt_days("fr", -3) == "en retard de 3 jours"
