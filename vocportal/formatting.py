"""One set of template filters for numbers, money, percentages and counted nouns.

Built on Babel, so a later translation only changes the locale. The locale is the
NUMBER_LOCALE setting (en_US by default) and money is in the CURRENCY setting (an ISO 4217
code, USD by default).
"""

from __future__ import annotations

import os
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import NumberPattern, format_currency, parse_pattern
from flask import Flask, current_app

Number = int | float | Decimal


def _locale() -> str:
    return current_app.config["NUMBER_LOCALE"]


# Babel's format_decimal/format_percent parse the locale name and the pattern on every call
# (most of the cost of a list's counts); these keep the parsed ones. Same output.
@lru_cache(maxsize=16)
def _parsed_locale(name: str) -> Locale:
    return Locale.parse(name)


@lru_cache(maxsize=64)
def _pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


def _apply(pattern: str, value: Number) -> str:
    return _pattern(pattern).apply(value, _parsed_locale(_locale()))


def number(value: Number | None, digits: int = 0) -> str:
    """`value` grouped by thousands with `digits` decimals: 5431.4966 -> "5,431" (digits=1:
    "5,431.5"; 11 -> "11.0", so a column's figures line up)."""
    if value is None:
        return "—"
    if digits <= 0 and type(value) is int and 0 <= value < 1000:
        return str(value)  # no separator, no sign, Latin digits: the same in every locale
    return _apply("#,##0" + ("." + "0" * digits if digits > 0 else ""), value)


def money(value: Number | None, currency: str | None = None, whole: bool = False) -> str:
    """`value` in `currency` (the CURRENCY setting by default): 5431.4966 -> "$5,431.50";
    `whole` drops the cents ("$5,431")."""
    if value is None:
        return "—"
    code = currency or current_app.config["CURRENCY"]
    if whole:
        return format_currency(
            round(value), code, format="¤#,##0", locale=_locale(), currency_digits=False
        )
    return format_currency(value, code, locale=_locale())


def percent(value: Number | None, digits: int = 0) -> str:
    """A share from 0 to 1 as a percentage: 0.4567 -> "46%" (digits=1: "45.7%", 1 -> "100.0%")."""
    if value is None:
        return "—"
    return _apply("#,##0" + ("." + "0" * digits if digits > 0 else "") + "%", value)


def counted(value: Number | None, singular: str, plural: str | None = None) -> str:
    """A count with its noun in the right form: 1 -> "1 vote", 1200 -> "1,200 votes"."""
    n = value or 0
    noun = singular if n == 1 else (plural or singular + "s")
    return f"{number(n)} {noun}"


def register_formatting(app: Flask) -> None:
    """Add the settings (from the environment unless given) and the template filters."""
    app.config.setdefault("CURRENCY", os.environ.get("CURRENCY", "USD").strip().upper() or "USD")
    app.config.setdefault("NUMBER_LOCALE", os.environ.get("NUMBER_LOCALE", "en_US") or "en_US")
    app.add_template_filter(number, "number")
    app.add_template_filter(money, "money")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(counted, "counted")
