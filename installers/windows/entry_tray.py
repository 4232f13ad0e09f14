"""`baoan-tray.exe`: the child's tray, a windowed program (no console at log-in), started
for every user by the `BaoAnTray` Run value the installer writes."""

import sys

from baoan.cli import main

if __name__ == "__main__":
    sys.exit(main(["tray", *sys.argv[1:]]))
