#!/usr/bin/env bash
# Refresh the dashboard's translation sources from the code, then compile them.
#   gui/i18n/update.sh          # after changing any tr() string
# New or changed strings appear in baoan_vi.ts as "unfinished": translate them in
# `.venv/bin/pyside6-linguist gui/i18n/baoan_vi.ts` (or any editor), then run this again.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${VENV_BIN:-.venv/bin}
sources=$(find gui -name "*.py" -not -path "*/__pycache__/*" -not -path "gui/tray/*" | sort)  # the tray has its own files
# shellcheck disable=SC2086
"$bin/pyside6-lupdate" $sources -no-obsolete -locations none \
    -source-language en -target-language vi -ts gui/i18n/baoan_vi.ts
# English is the source language: its file holds only the plural forms.
# shellcheck disable=SC2086
"$bin/pyside6-lupdate" $sources -no-obsolete -locations none -pluralonly \
    -source-language en -target-language en -ts gui/i18n/baoan_en.ts
"$bin/pyside6-lrelease" gui/i18n/baoan_vi.ts gui/i18n/baoan_en.ts
