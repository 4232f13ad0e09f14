"""What `sync` needs of an HTTP client: the agent hands its own in (sync imports nothing of
ours, so it names the shape it uses here). Every failure the client raises is an
`Exception` that the callers treat as "not now, try again"."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import Any, Protocol


class HttpAnswer(Protocol):
    """One answer, read whole or (with `stream=True`) line by line."""

    @property
    def status(self) -> int: ...

    @property
    def text(self) -> str: ...

    def json(self) -> Any: ...

    def iter_lines(self) -> Iterator[bytes]: ...

    def close(self) -> None: ...

    def __enter__(self) -> HttpAnswer: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None: ...


class HttpSession(Protocol):
    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        timeout: float | tuple[float, float] = ...,
        stream: bool = False,
    ) -> HttpAnswer: ...
