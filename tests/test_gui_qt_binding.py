"""The Qt binding itself must survive a long-running tray: thousands of signals."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
from PySide6.QtCore import QCoreApplication, QObject, Signal

app = QCoreApplication([])


class Emitter(QObject):
    changed = Signal(bool)


emitter = Emitter()
seen = []
emitter.changed.connect(lambda value: seen.append(value))
for index in range(20000):
    emitter.changed.emit(index % 2 == 0)
print(len(seen))
"""


def test_twenty_thousand_signals_to_a_python_slot_do_not_crash_the_process() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "20000"
