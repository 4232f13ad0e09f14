"""Stand-in upstream resolvers on loopback, and tests that they speak DNS properly.

`StandInDns` is a small real DNS server (UDP and TCP on the same random loopback port) that
answers a fixed zone with dnslib and can be told to be slow, to drop queries, to answer
SERVFAIL or to truncate its UDP answers. `StandInDoh` answers RFC 8484 DNS-over-HTTPS
requests (POST and GET) on a loopback `http.server`, optionally over TLS. The other upstream
and cache test modules import these.
"""

from __future__ import annotations

import base64
import contextlib
import socket
import ssl
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from dnslib import QTYPE, RCODE, RR, DNSRecord

ZONE = "example.test"
SOA_LINE = f"{ZONE}. 3600 IN SOA ns.{ZONE}. hostmaster.{ZONE}. 1 7200 900 1209600 120"
ZONE_TEXT = f"""
. 518400 IN NS a.root.{ZONE}.
{SOA_LINE}
www.{ZONE}. 300 IN A 192.0.2.10
www.{ZONE}. 300 IN AAAA 2001:db8::10
short.{ZONE}. 5 IN A 192.0.2.11
long.{ZONE}. 999999 IN A 192.0.2.12
alias.{ZONE}. 600 IN CNAME www.{ZONE}.
doh.{ZONE}. 300 IN A 127.0.0.1
""" + "\n".join(f"big.{ZONE}. 60 IN A 192.0.2.{i}" for i in range(1, 61))

NEGATIVE_TTL = 120  # min(SOA TTL 3600, SOA minimum 120), RFC 2308


@dataclass
class Behaviour:
    """How the stand-in treats the next queries; tests change it while it runs."""

    mode: str = "answer"  # answer | drop | servfail | truncate
    delay: float = 0.0  # seconds to wait before answering


@dataclass
class Seen:
    transport: str
    name: str
    qtype: str
    host: str | None = None  # the HTTP Host header, for DoH


@dataclass
class Zone:
    records: list[RR] = field(default_factory=lambda: RR.fromZone(ZONE_TEXT))

    def answer(self, request: DNSRecord, behaviour: Behaviour) -> DNSRecord:
        reply = request.reply()
        if behaviour.mode == "servfail":
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        qname = str(request.q.qname).lower()
        qtype = request.q.qtype
        owners = [rr for rr in self.records if str(rr.rname).lower() == qname]
        matching = [rr for rr in owners if rr.rtype == qtype]
        cname = [rr for rr in owners if rr.rtype == QTYPE.CNAME and qtype != QTYPE.CNAME]
        if cname:
            target = str(cname[0].rdata).lower()
            matching = cname + [
                rr for rr in self.records if str(rr.rname).lower() == target and rr.rtype == qtype
            ]
        for rr in matching:
            reply.add_answer(rr)
        if not matching:
            in_zone = qname == f"{ZONE}." or qname.endswith(f".{ZONE}.")
            if not owners:
                reply.header.rcode = RCODE.NXDOMAIN
            if in_zone:
                reply.add_auth(RR.fromZone(SOA_LINE)[0])
        return reply


def _truncate(reply: DNSRecord) -> bytes:
    """What a server sends when the answer does not fit: the header with TC and the question."""
    short = DNSRecord(header=reply.header, questions=reply.questions)
    short.header.tc = 1
    return short.pack()


class StandInDns:
    """A real DNS server on 127.0.0.1, UDP and TCP on one random port."""

    def __init__(self, zone: Zone | None = None) -> None:
        self.zone = zone or Zone()
        self.behaviour = Behaviour()
        self.seen: list[Seen] = []
        self._stop = threading.Event()
        self.udp, self.tcp = _bind_pair()
        self.port = self.udp.getsockname()[1]
        self._threads = [
            threading.Thread(target=self._serve_udp, daemon=True),
            threading.Thread(target=self._serve_tcp, daemon=True),
        ]

    def start(self) -> StandInDns:
        for thread in self._threads:
            thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(2)
        self.udp.close()
        self.tcp.close()

    @property
    def udp_url(self) -> str:
        return f"udp://127.0.0.1:{self.port}"

    @property
    def tcp_url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def transports(self) -> list[str]:
        return [seen.transport for seen in self.seen]

    def _reply(self, data: bytes, transport: str) -> bytes | None:
        try:
            request = DNSRecord.parse(data)
        except Exception:
            return None
        self.seen.append(Seen(transport, str(request.q.qname), QTYPE.get(request.q.qtype)))
        behaviour = self.behaviour
        if behaviour.mode == "drop":
            return None
        if behaviour.delay:
            time.sleep(behaviour.delay)
        reply = self.zone.answer(request, behaviour)
        packed = reply.pack()
        if transport == "udp" and (behaviour.mode == "truncate" or len(packed) > 512):
            return _truncate(reply)
        return packed

    def _serve_udp(self) -> None:
        self.udp.settimeout(0.05)
        while not self._stop.is_set():
            try:
                data, addr = self.udp.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            # One thread per query so that a slow answer does not hold up the others.
            threading.Thread(target=self._answer_udp, args=(data, addr), daemon=True).start()

    def _answer_udp(self, data: bytes, addr: tuple[str, int]) -> None:
        answer = self._reply(data, "udp")
        if answer is not None:
            with contextlib.suppress(OSError):
                self.udp.sendto(answer, addr)

    def _serve_tcp(self) -> None:
        self.tcp.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self.tcp.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._answer_tcp, args=(conn,), daemon=True).start()

    def _answer_tcp(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(2)
            try:
                (length,) = struct.unpack("!H", _recv_exactly(conn, 2))
                data = _recv_exactly(conn, length)
            except (OSError, struct.error):
                return
            answer = self._reply(data, "tcp")
            if answer is None:
                # Hold the connection open without answering, as a black hole would.
                self._stop.wait(2)
                return
            with contextlib.suppress(OSError):
                conn.sendall(struct.pack("!H", len(answer)) + answer)


def _recv_exactly(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise OSError("closed")
        data += chunk
    return data


def _bind_pair() -> tuple[socket.socket, socket.socket]:
    """A UDP and a TCP socket bound to the same free loopback port."""
    for _ in range(50):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            tcp.bind(("127.0.0.1", udp.getsockname()[1]))
        except OSError:
            udp.close()
            tcp.close()
            continue
        tcp.listen(16)
        return udp, tcp
    raise RuntimeError("no free loopback port for both UDP and TCP")


def dead_port() -> int:
    """A loopback port nobody listens on (UDP gets ICMP port unreachable, TCP a reset)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class StandInDoh:
    """An RFC 8484 server on 127.0.0.1: POST or GET `/dns-query`, `application/dns-message`."""

    def __init__(
        self, zone: Zone | None = None, *, certificate: tuple[Path, Path] | None = None
    ) -> None:
        self.zone = zone or Zone()
        self.behaviour = Behaviour()
        lock = threading.Lock()
        self.seen: list[Seen] = []
        self.connections = 0  # TCP (and TLS) connections accepted
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:  # once per connection, however many requests it carries
                super().setup()
                with lock:
                    standin.connections += 1

            def log_message(self, format: str, *args: object) -> None:  # quiet tests
                pass

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != "/dns-query":
                    self._send(404, "text/plain", b"not found")
                    return
                if self.headers.get("Content-Type") != "application/dns-message":
                    self._send(415, "text/plain", b"unsupported media type")
                    return
                length = int(self.headers.get("Content-Length", "0"))
                self._answer(self.rfile.read(length), "doh-post")

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                values = parse_qs(parts.query).get("dns")
                if parts.path != "/dns-query" or not values:
                    self._send(400, "text/plain", b"bad request")
                    return
                encoded = values[0] + "=" * (-len(values[0]) % 4)
                self._answer(base64.urlsafe_b64decode(encoded), "doh-get")

            def _answer(self, data: bytes, transport: str) -> None:
                request = DNSRecord.parse(data)
                standin.seen.append(
                    Seen(
                        transport,
                        str(request.q.qname),
                        QTYPE.get(request.q.qtype),
                        self.headers.get("Host"),
                    )
                )
                behaviour = standin.behaviour
                if behaviour.mode == "drop":
                    time.sleep(2)
                    return
                if behaviour.delay:
                    time.sleep(behaviour.delay)
                reply = standin.zone.answer(request, behaviour)
                self._send(200, "application/dns-message", reply.pack())

            def _send(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.scheme = "http"
        if certificate is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(certificate[0]), str(certificate[1]))
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> StandInDoh:
        self._thread.start()
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(2)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/dns-query"


@contextlib.contextmanager
def running_dns(count: int = 1) -> Iterator[list[StandInDns]]:
    servers = [StandInDns().start() for _ in range(count)]
    try:
        yield servers
    finally:
        for server in servers:
            server.close()


@pytest.fixture
def standin() -> Iterator[StandInDns]:
    with running_dns(1) as servers:
        yield servers[0]


# --------------------------------------------------------------------------- the stand-in


def test_standin_answers_the_zone_over_udp_and_tcp(standin: StandInDns) -> None:
    question = DNSRecord.question(f"www.{ZONE}", "A")
    over_udp = DNSRecord.parse(question.send("127.0.0.1", standin.port, timeout=2))
    over_tcp = DNSRecord.parse(question.send("127.0.0.1", standin.port, tcp=True, timeout=2))
    for reply in (over_udp, over_tcp):
        assert reply.header.id == question.header.id
        assert [str(rr.rdata) for rr in reply.rr] == ["192.0.2.10"]
    assert standin.transports() == ["udp", "tcp"]


def test_standin_negative_answers_carry_the_soa(standin: StandInDns) -> None:
    missing = DNSRecord.parse(
        DNSRecord.question(f"nope.{ZONE}", "A").send("127.0.0.1", standin.port, timeout=2)
    )
    nodata = DNSRecord.parse(
        DNSRecord.question(f"short.{ZONE}", "AAAA").send("127.0.0.1", standin.port, timeout=2)
    )
    assert missing.header.rcode == RCODE.NXDOMAIN
    assert nodata.header.rcode == RCODE.NOERROR and not nodata.rr
    assert all(reply.auth[0].rtype == QTYPE.SOA for reply in (missing, nodata))


def test_standin_truncates_large_udp_answers(standin: StandInDns) -> None:
    question = DNSRecord.question(f"big.{ZONE}", "A")
    over_udp = DNSRecord.parse(question.send("127.0.0.1", standin.port, timeout=2))
    over_tcp = DNSRecord.parse(question.send("127.0.0.1", standin.port, tcp=True, timeout=2))
    assert over_udp.header.tc == 1 and not over_udp.rr
    assert over_tcp.header.tc == 0 and len(over_tcp.rr) == 60
