"""The memo of answers asked once costs the cyclic garbage collector nothing: its entries
are tuples of bytes, numbers and strings, which CPython stops tracking, until a hit."""

from __future__ import annotations

import gc
import time

from test_server import V4, FixedAnswer, ServerThread, question, udp_ask

from dns_filter.chain import AnswerType


def _memo_values(server: ServerThread) -> list[object]:
    found: list[list[object]] = []
    server.call(lambda: found.append(list(server.server._memo.values())))
    return found[0]


def test_answers_asked_once_are_untracked_and_a_hit_is_served_the_same() -> None:
    server = ServerThread(FixedAnswer())
    try:
        names = [f"once{index}.example.test" for index in range(50)]
        first = {name: udp_ask(V4, server.port(), question(name)) for name in names}
        deadline = time.monotonic() + 10.0  # an answer is remembered just after it is sent
        while len(_memo_values(server)) < len(names) and time.monotonic() < deadline:
            time.sleep(0.01)
        for _ in range(2):  # each collection untracks the tuples whose items are untracked
            gc.collect()
        stored = _memo_values(server)
        assert len(stored) == len(names)
        assert not any(gc.is_tracked(value) for value in stored)
        again = udp_ask(V4, server.port(), question(names[7]))
        assert again.rr == first[names[7]].rr
        logged = server.logged()
        assert [r.answer_type for _, r, _ in logged][-1] is AnswerType.CACHED
        assert logged[-1][0].name == names[7]
        assert sum(gc.is_tracked(value) for value in _memo_values(server)) == 1
        assert server.stats().memo_hits == 1
    finally:
        server.close()


def test_outcomes_are_shared_and_forgotten_with_the_memo() -> None:
    server = ServerThread(FixedAnswer())
    try:
        for index in range(20):
            udp_ask(V4, server.port(), question(f"shared{index}.example.test"))
        outcomes: list[int] = []
        server.call(lambda: outcomes.append(len(server.server._outcomes)))
        assert outcomes == [1]  # twenty answers, one (type, reason, profile, valid until)
        server.call(server.server.clear_memo)
        server.call(lambda: outcomes.append(len(server.server._outcomes)))
        assert outcomes[-1] == 0
    finally:
        server.close()
