"""The `baoan` command: the one place that puts the agent's and the GUI's sub-commands
together, so that neither package imports the other."""
