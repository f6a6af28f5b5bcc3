"""``python -m batchai_compat``: the ``batchai`` command line (see :mod:`batchai_compat.cli`)."""

import sys

from batchai_compat.cli import main

sys.exit(main())
