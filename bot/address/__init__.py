"""Citizens' addresses: tokens, lexicon, parser and the structured parts a report stores."""
from __future__ import annotations

import sys


def without_tensorflow() -> None:
    """The address parser's spaCy would import TensorFlow (thinc looks for it), which a process
    that only parses addresses (the action and web servers) never uses: several hundred MiB and
    seconds at start. Make it unavailable here; call it before the parser is first imported."""
    if "tensorflow" not in sys.modules:
        sys.modules["tensorflow"] = None  # type: ignore[assignment]
