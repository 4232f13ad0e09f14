"""`baoan doctor`: is this PC protected as the family thinks, and how to fix what is not.

`report` holds the result types, `checks` the pure judgements (each turns facts into a
`Check` with its fix in Vietnamese and English), `probe` reads the facts of the PC (its
sessions and trays, disk, clock zone, caregivers' servers), `run` puts them together with
the agent's answer and the OS integration's findings.
"""
