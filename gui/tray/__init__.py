"""The child's tray: Help / 111, notifications of blocked sites, "what Bảo An watches".

It runs as the child, in the child's desktop session, and talks to the agent only through
the agent's local HTTP API with the tray token (docs/tray.md). ``run_tray(api_url, argv)``
is the program; ``build_tray(backend)`` builds the same thing around any backend.
"""
