"""Screen time: heartbeats from the child's tray counted fairly, and the limits over them.

- :mod:`agent.usage.model` — the frozen data: a heartbeat, a day's tally, a child's counter.
- :mod:`agent.usage.counting` — pure counting of heartbeats into counted spans and tallies.
- :mod:`agent.usage.trusted_clock` — wall time carried on by the monotonic clock.
- :mod:`agent.usage.apps` — which service, category or always-allowed app a heartbeat is.
- :mod:`agent.usage.limits` — the limit decision with a typed reason (pure).
- :mod:`agent.usage.service` — the running part: receives heartbeats, saves state.
"""
