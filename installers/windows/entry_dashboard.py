"""`baoan-dashboard.exe`: the parents' dashboard, a windowed program (the Start menu's
shortcut)."""

import sys

from baoan.cli import main

if __name__ == "__main__":
    sys.exit(main(["dashboard", *sys.argv[1:]]))
