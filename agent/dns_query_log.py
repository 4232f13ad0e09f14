"""The DNS server's answers as query-log rows (`dns_filter.server.AnswerLog`).

Tens of thousands of answers a second come through here on the DNS loop, most of them
memo hits. The server asks `log_key` once per remembered answer and client and keeps the
key with its memo entry: the key is the row without its time, latency and count, made
once. Per slice of answers there is then one clock read and one hand-off of the keys and
latencies as they are to the writer, which merges repeats and counts every answer
(``agent.store.QueryLogWriter``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from dnslib import QTYPE

from agent.store.models import RowPrefix, to_timestamp
from agent.store.reasons import encode_reason
from dns_filter.chain import AnswerType
from dns_filter.clock import Clock
from dns_filter.reason import Reason
from dns_filter.server import LoggedAnswer

# Reasons whose JSON text is kept by object: a chain answer's reason is often one of a few
# objects (the upstream's, a category's). Each kept reason is an object the cyclic
# collector walks, so they are not many; past it the cache starts afresh and the hot
# reasons come back within a slice, found by value (a hash, no JSON).
_REASON_TEXTS_BY_OBJECT = 16_384
_REASON_TEXTS_BY_VALUE = 8_192
_BLOCKS = (AnswerType.BLOCKED, AnswerType.BYPASS)


class AnswerSink(Protocol):
    """Where the answers go (``agent.store.QueryLogWriter``): one call per slice of
    answers (see `QueryLogWriter.log_answers`)."""

    def log_answers(
        self, prefixes: Sequence[RowPrefix], latencies: Sequence[float], time: float
    ) -> None: ...


class DnsQueryLog:
    """The agent's query log as the DNS server feeds it."""

    def __init__(self, sink: AnswerSink, clock: Clock) -> None:
        self._sink = sink
        self._clock = clock
        self._reason_texts: dict[int, tuple[Reason, str]] = {}  # by id(reason)
        self._texts_by_reason: dict[Reason, str] = {}
        self._qtype_names = {int(number): str(name) for number, name in QTYPE.forward.items()}

    def log_key(self, answer: LoggedAnswer) -> RowPrefix:
        decision = str(answer.answer_type)
        reason = answer.reason
        # every block's category is counted: lists, services, CNAME cloaking, bypass
        category = (reason.category or None) if answer.answer_type in _BLOCKS else None
        child = answer.profile
        qtype = self._qtype_names.get(answer.qtype) or _qtype_name(answer.qtype)
        return (
            child, answer.client_ip, answer.name, qtype, decision, self._text(reason), category
        )

    def log_answers(self, keys: list[RowPrefix], latencies: list[float]) -> None:
        """A slice of answers (latencies in seconds), to the sink as they are."""
        if keys:
            self._sink.log_answers(keys, latencies, to_timestamp(self._clock.now()))

    def _text(self, reason: Reason) -> str:
        """The JSON text of `reason` (kept by object, and by value for other objects)."""
        known = self._reason_texts.get(id(reason))
        if known is not None and known[0] is reason:
            return known[1]
        text = self._texts_by_reason.get(reason)
        if text is None:
            if len(self._texts_by_reason) >= _REASON_TEXTS_BY_VALUE:
                self._texts_by_reason.clear()
            text = self._texts_by_reason[reason] = encode_reason(reason.to_json())
        if len(self._reason_texts) >= _REASON_TEXTS_BY_OBJECT:
            self._reason_texts.clear()
        self._reason_texts[id(reason)] = (reason, text)  # the reason kept: its id stays its
        return text


def _qtype_name(qtype: int) -> str:
    try:
        return str(QTYPE[qtype])
    except Exception:
        return str(qtype)
