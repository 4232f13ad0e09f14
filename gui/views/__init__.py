"""Thin widgets: they show what the controller reports and pass on what the parent asks."""
