"""The `baoan.exe` of the Windows build: the whole `baoan` command, in a console."""

import sys

from baoan.cli import main

if __name__ == "__main__":
    sys.exit(main())
