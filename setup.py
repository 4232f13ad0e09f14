"""Only the optional C fast path lives here; everything else is in pyproject.toml."""

import sys

from setuptools import Extension, setup

# The UDP memo-hit fast path (dns_filter/_fastpath.c) uses recvmmsg/sendmmsg, which only
# Linux has. It is optional: when it does not compile, the install goes on and the server
# runs its pure-Python path.
ext_modules = (
    [Extension("dns_filter._fastpath", ["dns_filter/_fastpath.c"], optional=True)]
    if sys.platform.startswith("linux")
    else []
)

setup(ext_modules=ext_modules)
