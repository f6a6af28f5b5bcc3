"""How a benchmark run is configured: full run, or a quick smoke run with tiny sizes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field


def _print(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Settings:
    """``quick`` runs each measure once, without warm-up, on tiny sizes (keeps the code alive in
    tests); ``repetitions`` overrides every measure's default count."""

    quick: bool = False
    repetitions: int | None = None
    progress: Callable[[str], None] = field(default=_print)

    def reps(self, default: int) -> int:
        if self.repetitions is not None:
            return self.repetitions
        return 1 if self.quick else default

    @property
    def warmup(self) -> bool:
        return not self.quick

    def size(self, full: int, quick: int) -> int:
        return quick if self.quick else full
