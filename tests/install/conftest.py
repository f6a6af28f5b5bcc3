"""The install tests' helpers (fake_aad.py, old_style_script.py) live beside them."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
