"""Benchmarks of the DNS filter against dnsmasq (`./dev bench`, i.e. `python -m benchmarks`)."""
