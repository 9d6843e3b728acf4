"""`python -m engine SPEC` is `run-spec SPEC`."""

import sys

from engine.cli import main

sys.exit(main())
