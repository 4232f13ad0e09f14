"""The family policy: `family.toml` schema v1, age presets, the services catalogue, loading,
validation, atomic writing, live reloading and compilation into the DNS filter's snapshot.

This package is plain Python: no Qt, no store. It may import :mod:`dns_filter.policy` types.
"""

from agent.policy.errors import InvalidPolicyError, PolicyError
from agent.policy.loader import load_policy, parse_policy
from agent.policy.model import FamilyPolicy

__all__ = ["FamilyPolicy", "InvalidPolicyError", "PolicyError", "load_policy", "parse_policy"]
