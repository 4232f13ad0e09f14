"""The DNS server's answers as query-log rows and counts (`dns_filter.server.AnswerLog`).

Tens of thousands of answers a second come through here on the DNS loop, most of them
memo hits. The server asks `log_key` once per remembered answer and client and keeps the
key with its memo entry: the key is the row without its time and latency, and where the
answer is counted. Per answer there is then only the key's place in a flat list of the
slice's values and its share of one `Counter`; one clock read and one hand-off to the
writer per slice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Protocol

from dnslib import QTYPE

from agent.store.models import (
    CountedAs,
    CountKey,
    QueryLogValue,
    RowPrefix,
    to_timestamp,
)
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

AnswerKey = tuple[RowPrefix, CountedAs]
"""What the log keeps of an answer but its latency: its row's first values, and where it
is counted."""

_counted_as = itemgetter(1)


class QueryLogSink(Protocol):
    """Where the answers' rows go (``agent.store.QueryLogWriter``): one call per slice of
    answers, with every answer's count (see `QueryLogWriter.log_values`)."""

    def log_values(
        self, values: Sequence[QueryLogValue], counts: Mapping[CountKey, int]
    ) -> None: ...


class DnsQueryLog:
    """The agent's query log as the DNS server feeds it."""

    def __init__(self, sink: QueryLogSink, clock: Clock) -> None:
        self._sink = sink
        self._clock = clock
        self._reason_texts: dict[int, tuple[Reason, str]] = {}  # by id(reason)
        self._texts_by_reason: dict[Reason, str] = {}
        self._qtype_names = {int(number): str(name) for number, name in QTYPE.forward.items()}

    def log_key(self, answer: LoggedAnswer) -> AnswerKey:
        decision = str(answer.answer_type)
        reason = answer.reason
        # every block's category is counted: lists, services, CNAME cloaking, bypass
        category = (reason.category or None) if answer.answer_type in _BLOCKS else None
        child = answer.profile
        qtype = self._qtype_names.get(answer.qtype) or _qtype_name(answer.qtype)
        prefix: RowPrefix = (
            child, answer.client_ip, answer.name, qtype, decision, self._text(reason), category
        )
        return prefix, (child or "", decision, category or "")

    def log_answers(self, keys: list[AnswerKey], latencies: list[float]) -> None:
        """A slice of answers: their rows (latency in ms) and counts, to the sink."""
        if not keys:
            return
        now = to_timestamp(self._clock.now())
        values: list[QueryLogValue] = []
        add_prefix, add_value = values.extend, values.append
        for (prefix, _counted), latency in zip(keys, latencies, strict=True):
            add_prefix(prefix)
            add_value(now)
            add_value(latency * 1000.0)
        minute = int(now) // 60 * 60
        counts = {
            (minute, *counted): count
            for counted, count in Counter(map(_counted_as, keys)).items()
        }
        self._sink.log_values(values, counts)

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
