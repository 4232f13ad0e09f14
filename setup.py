"""Only the optional C extensions live here; everything else is in pyproject.toml."""

import sys

from setuptools import Extension, setup

# Both are optional: when one does not compile, the install goes on and the pure-Python
# code does the same work, more slowly.
# - The UDP memo-hit fast path (dns_filter/_fastpath.c) uses recvmmsg/sendmmsg, which only
#   Linux has.
# - The packed list index's sorting (dns_filter/_packed.c) is portable C.
ext_modules = [Extension("dns_filter._packed", ["dns_filter/_packed.c"], optional=True)]
if sys.platform.startswith("linux"):
    ext_modules.append(
        Extension("dns_filter._fastpath", ["dns_filter/_fastpath.c"], optional=True)
    )

setup(ext_modules=ext_modules)
