"""Seeds derived from what they seed, so a candidate's training never depends on evaluation order.

Example:
    >>> stable_seed(0, "96px-rgb", "init") == stable_seed(0, "96px-rgb", "init")
    True
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def stable_seed(*parts: Any) -> int:
    """A 31-bit seed from any JSON-able parts (Python's hash() changes between processes)."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) & 0x7FFFFFFF
