"""The agent's local HTTP API (docs/api.md).

* :mod:`agent.api.app` — ``create_server(services, authenticator, ...)``: the listener
  with every endpoint, ready to ``start()``.
* :mod:`agent.api.http` — ``Router``, ``Request``, ``Response``, ``ApiError``: to add
  routes, page routes and the page fallback (the block page).
* :mod:`agent.api.services` — ``AgentServices``, what the runtime must provide.
* :mod:`agent.api.client` and :mod:`agent.api.types` — the client side, for the dashboard,
  the tray and ``baoan status``.

This package imports nothing at its top so that a client need not load the server side.
"""
