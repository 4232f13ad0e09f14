"""`baoan-service.exe`: the agent as a Windows service (pywin32's service framework).

The service control manager starts it with the arguments of its `binPath` (those of
`baoan agent`: `--config`, `--data-dir`, `--dns-listen`); it reports "running" once DNS and
HTTP listen and stops the agent cleanly on a stop request. When the agent cannot start,
the process exits with an error, and the service's failure actions (set by the installer
with `sc.exe failure` and `sc.exe failureflag 1`) start it again.
"""

import logging
import logging.handlers
import sys
import threading

import servicemanager  # type: ignore[import-not-found]
import win32service  # type: ignore[import-not-found]
import win32serviceutil  # type: ignore[import-not-found]

from agent.commands.agent import settings_from_args
from agent.runtime import Agent
from baoan.cli import build_parser

SERVICE_NAME = "BaoAnAgent"
AGENT_ARGUMENTS: list[str] = []


class BaoAnService(win32serviceutil.ServiceFramework):  # type: ignore[misc]
    _svc_name_ = SERVICE_NAME
    _svc_display_name_ = "Bảo An agent"
    _svc_description_ = "Bảo An: the family's DNS filter, local API and screen time."

    def __init__(self, args: list[str]) -> None:
        super().__init__(args)
        self._stop_requested = threading.Event()

    def SvcStop(self) -> None:  # noqa: N802 (pywin32's name)
        self.ReportServiceStatus(win32service.SERVICE_STOP_PENDING)
        self._stop_requested.set()

    def SvcDoRun(self) -> None:  # noqa: N802 (pywin32's name)
        args = build_parser().parse_args(["agent", *AGENT_ARGUMENTS])
        settings = settings_from_args(args)
        # A service has no console: the log goes to the (private) data folder.
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        log_file = logging.handlers.RotatingFileHandler(
            settings.data_dir / "agent.log", maxBytes=5_000_000, backupCount=3, encoding="utf-8"
        )
        logging.basicConfig(level=logging.INFO, handlers=[log_file],
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        agent = Agent(settings)
        agent.start()
        self.ReportServiceStatus(win32service.SERVICE_RUNNING)
        try:
            self._stop_requested.wait()
        finally:
            agent.stop()


if __name__ == "__main__":
    AGENT_ARGUMENTS.extend(sys.argv[1:])
    servicemanager.Initialize()
    servicemanager.PrepareToHostSingle(BaoAnService)
    servicemanager.StartServiceCtrlDispatcher()
