"""`python -m baoan` runs the `baoan` command."""

import sys

from baoan.cli import main

sys.exit(main())
