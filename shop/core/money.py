"""Money as integer minor units (fen for CNY) with a currency; never floats."""

from __future__ import annotations

import re
from collections.abc import Callable, Container
from dataclasses import dataclass

_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€"}


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units of `currency`."""

    amount_minor: int
    currency: str = "CNY"

    def __post_init__(self) -> None:
        if not isinstance(self.amount_minor, int) or isinstance(self.amount_minor, bool):
            raise TypeError("amount_minor must be an int of minor units")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __mul__(self, quantity: int) -> Money:
        return Money(self.amount_minor * quantity, self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")

    def as_json(self) -> dict[str, int | str]:
        """The API's money shape: `{"amount_minor", "currency"}`."""
        return {"amount_minor": self.amount_minor, "currency": self.currency}

    def format(self) -> str:
        """Human form with two decimals, e.g. `¥128.00` or `-¥5.00`."""
        sign = "-" if self.amount_minor < 0 else ""
        major, minor = divmod(abs(self.amount_minor), 100)
        return f"{sign}{_SYMBOLS.get(self.currency, self.currency + ' ')}{major:,}.{minor:02d}"

    def __str__(self) -> str:
        return self.format()


def percent_of(amount_minor: int, basis_points: int) -> int:
    """`basis_points`/10000 of an amount, rounded half up to the minor unit."""
    return (amount_minor * basis_points + 5_000) // 10_000


def parse_major(text: str) -> int | None:
    """An amount typed in major units ("12", "12.5", "12.50") as minor units; None if not one."""
    match = re.fullmatch(r"(\d{1,9})(?:\.(\d{1,2}))?", text.strip())
    if match is None:
        return None
    return int(match.group(1)) * 100 + int((match.group(2) or "").ljust(2, "0"))


def yuan_text(minor: object) -> str:
    """Minor units as a form shows them in yuan (3990 -> "39.90"); other values as they are."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        return "" if minor is None else str(minor)
    sign, minor = ("-", -minor) if minor < 0 else ("", minor)
    return f"{sign}{minor // 100}.{minor % 100:02d}"


MINOR_SUFFIX = "_minor"
#: A share in basis points is typed in percent under the name without this suffix.
BP_SUFFIX = "_bp"


def minor_from_yuan(form: dict[str, object], names: Container[str]) -> dict[str, str]:
    """Money typed in yuan, converted once; returns the fields that are not amounts.

    Each posted `<name>` whose `<name>_minor` is in `names` becomes that field in minor units.
    """
    return _typed(form, names, MINOR_SUFFIX, parse_major)


def percent_to_bp(form: dict[str, object], names: Container[str]) -> dict[str, str]:
    """Shares typed in percent, converted once; returns the fields that are not percents.

    Each posted `<name>` whose `<name>_bp` is in `names` becomes that field in basis points.
    """
    return _typed(form, names, BP_SUFFIX, basis_points)


def _typed(
    form: dict[str, object],
    names: Container[str],
    suffix: str,
    parse: Callable[[str], int | None],
) -> dict[str, str]:
    """Move each typed `<name>` to `<name><suffix>`, parsed; the text stays if it does not parse."""
    wrong: dict[str, str] = {}
    for name in [n for n in form if f"{n}{suffix}" in names]:
        text = form.pop(name)
        value = parse(text) if isinstance(text, str) else None
        if value is None:
            wrong[name] = str(text)
        form[f"{name}{suffix}"] = text if value is None else value
    return wrong


def basis_points(text: str) -> int | None:
    """A share typed in percent ("80", "12.5") as basis points (8000, 1250); None if not one."""
    return parse_major(text)  # a percent has two decimals as a yuan has: 12.5 % is 1250 bp
