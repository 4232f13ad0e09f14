"""The child's pages: the block page, Help / 111 and "what Bảo An watches"."""

from agent.pages.csrf import CsrfSigner
from agent.pages.handlers import PageServices, register_pages

__all__ = ["CsrfSigner", "PageServices", "register_pages"]
