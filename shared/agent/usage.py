"""Token accounting: usage per request and per turn, its cost, and the daily budget.

Prices are USD per million tokens (input, output); writing the prompt cache costs 1.25× the
input price and reading it 0.1×. Unknown models are priced like Sonnet and flagged as estimates.
The daily budget counts input, cache writes and output in full and cache reads at a tenth,
which is how they are billed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

PRICES: tuple[tuple[str, float, float], ...] = (
    ("opus-4-5", 5.0, 25.0),
    ("opus", 15.0, 75.0),
    ("sonnet", 3.0, 15.0),
    ("haiku-4", 1.0, 5.0),
    ("3-5-haiku", 0.8, 4.0),
    ("haiku", 0.25, 1.25),
)
DEFAULT_PRICE = (3.0, 15.0)
CACHE_WRITE_FACTOR = 1.25
CACHE_READ_FACTOR = 0.1


@dataclass
class Usage:
    input_tokens: int = 0  # not cached
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    output_tokens: int = 0
    requests: int = 0

    @classmethod
    def from_api(cls, usage: Any) -> Usage:
        """From the SDK's ``message.usage`` (any object or dict with those attribute names)."""

        def get(name: str) -> int:
            value = usage.get(name) if isinstance(usage, dict) else getattr(usage, name, 0)
            return int(value or 0)

        return cls(
            input_tokens=get("input_tokens"),
            cache_creation_input_tokens=get("cache_creation_input_tokens"),
            cache_read_input_tokens=get("cache_read_input_tokens"),
            output_tokens=get("output_tokens"),
            requests=1,
        )

    def __add__(self, other: Usage) -> Usage:
        return Usage(*(a + b for a, b in zip(_values(self), _values(other), strict=True)))

    @property
    def prompt_tokens(self) -> int:
        return self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens

    @property
    def cached_fraction(self) -> float:
        return self.cache_read_input_tokens / self.prompt_tokens if self.prompt_tokens else 0.0

    @property
    def budget_tokens(self) -> int:
        """What counts against the daily budget."""
        return round(
            self.input_tokens
            + self.cache_creation_input_tokens
            + self.output_tokens
            + CACHE_READ_FACTOR * self.cache_read_input_tokens
        )

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Usage:
        return cls(**{k: int(data.get(k, 0) or 0) for k in cls.__dataclass_fields__})


def _values(u: Usage) -> tuple[int, ...]:
    return tuple(getattr(u, f) for f in Usage.__dataclass_fields__)


def price_for(model: str) -> tuple[float, float, bool]:
    """(input, output, known) USD per million tokens for ``model``."""
    name = model.lower()
    for key, inp, out in PRICES:
        if key in name:
            return inp, out, True
    return DEFAULT_PRICE[0], DEFAULT_PRICE[1], False


def cost_usd(usage: Usage, model: str) -> float:
    inp, out, _ = price_for(model)
    total = (
        usage.input_tokens * inp
        + usage.cache_creation_input_tokens * inp * CACHE_WRITE_FACTOR
        + usage.cache_read_input_tokens * inp * CACHE_READ_FACTOR
        + usage.output_tokens * out
    )
    return round(total / 1_000_000, 6)


def budget_left(spent_today: int, daily_budget: int) -> int | None:
    """Tokens left today, or None when there is no budget (0 means unlimited)."""
    if daily_budget <= 0:
        return None
    return max(daily_budget - spent_today, 0)
