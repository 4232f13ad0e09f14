"""Benchmarks of the DNS filter and the agent against dnsmasq (`./dev bench`)."""
