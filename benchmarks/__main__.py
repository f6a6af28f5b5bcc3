"""``python -m benchmarks``: run every measure and regenerate docs/benchmarks.md."""

from __future__ import annotations

import sys

from .run import main

sys.exit(main())
