"""The child's tray on the agent's side (the tray itself is :mod:`gui.tray`).

* :mod:`agent.tray.identity` — whose tray is asking: per-account user keys over the
  agent's own secret, and the verified identity;
* :mod:`agent.tray.service` — :class:`~agent.tray.service.TrayService`, what a tray may
  ask of the agent (its profile, recent blocks, Help / 111, the acknowledgement);
* :mod:`agent.tray.handover` — the tray token handed to each child's OS account in a file
  only that account can read;
* :mod:`agent.tray.wiring` — the service and the hand-over put together for the runtime.

The HTTP routes over the service are in :mod:`agent.api.tray_routes`; the JSON shapes are
the API's plain types (:mod:`agent.api.types`), shared with the tray. This package
imports nothing at its top.
"""
