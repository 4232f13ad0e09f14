"""The one place the version lives."""

from importlib import metadata


def version() -> str:
    try:
        return metadata.version("baoan")
    except metadata.PackageNotFoundError:  # running from a source tree without install
        return "0.0.0+source"
