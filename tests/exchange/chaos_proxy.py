"""A fault-injecting HTTP proxy on loopback, for the chaos test (tests/exchange/chaos.py).

One proxy stands between a sender node and the inbox of its peer. For each
request it draws one fault (or none) from a seeded deck and applies it:

==================  ==========================================================
``drop``            the request is lost: not forwarded, connection closed
``delay``           forwarded after a random pause
``duplicate``       forwarded twice at once; the sender gets one answer
``reorder``         held back (the sender sees a lost answer) and forwarded
                    after the next request, or after a timeout
``shuffle``         the envelopes of a batch forwarded in another order
``truncate``        the request body cut short
``corrupt``         one base64 character flipped inside one envelope of a batch
``truncate_reply``  forwarded; the answer cut short
``corrupt_reply``   forwarded; one character of the receipt's signature flipped
``http_413`` …      answered by the proxy (413, 500, 503), not forwarded
``reset``           forwarded, then the connection reset (RST) instead of an answer
==================  ==========================================================

The deck holds every enabled fault at least once, so a short run sees them all;
``corrupt`` and ``shuffle`` wait for a body of two or more envelopes.
"""

from __future__ import annotations

import json
import random
import socket
import struct
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

PROXY_FAULTS = (
    "drop", "delay", "duplicate", "reorder", "shuffle", "truncate", "corrupt",
    "truncate_reply", "corrupt_reply", "http_413", "http_500", "http_503", "reset",
)  # fmt: skip
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
#: Faults that act inside a batch: a body of one envelope keeps them for a later request.
BATCH_FAULTS = frozenset({"corrupt", "shuffle"})
HOLD_SECONDS = 1.0
MAX_DELAY = 0.8


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes


class Deck:
    """Faults in a shuffled deck: each enabled one at least once per deck, the rest clean."""

    def __init__(self, faults: Iterable[str], rate: float, rng: random.Random) -> None:
        self.faults = sorted(faults)
        self.rate = rate
        self.rng = rng
        self.cards: list[str | None] = []
        self.lock = threading.Lock()

    def draw(self) -> str | None:
        with self.lock:
            if not self.faults or self.rate <= 0:
                return None
            if not self.cards:
                self.cards = self._deal()
            return self.cards.pop()

    def _deal(self) -> list[str | None]:
        size = max(len(self.faults), round(len(self.faults) / self.rate))
        cards: list[str | None] = [*self.faults]
        cards += [None] * (size - len(cards))
        self.rng.shuffle(cards)
        return cards

    def put_back(self, fault: str) -> None:
        """A fault that does not fit this request waits for a later one."""
        with self.lock:
            if self.faults:
                self.cards.insert(0, fault)

    def calm(self) -> None:
        with self.lock:
            self.faults, self.cards = [], []


class FaultProxy:
    """``http://127.0.0.1:{port}`` forwards to ``target`` with faults drawn from a deck."""

    def __init__(self, target: str, faults: Iterable[str], rate: float, seed: int) -> None:
        self.target = target
        self.rng = random.Random(seed)
        self.deck = Deck(faults, rate, random.Random(seed + 1))
        self.injected: Counter[str] = Counter()
        self.seen: Counter[str] = Counter()  # receipt statuses and codes, read in clear
        self.lock = threading.Lock()
        self.held: bytes | None = None
        self.client = httpx.Client(timeout=30.0)
        self.server = _QuietServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FaultProxy:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.client.close()

    def calm(self) -> None:
        """No more faults; a held request is forwarded now."""
        self.deck.calm()
        self._flush_held()

    # --- what one request goes through -----------------------------------------

    def handle(self, path: str, body: bytes) -> Reply | str:
        """The answer to give, or ``"drop"`` / ``"reset"`` for what to do with the socket."""
        self._count("requests")
        fault = self.deck.draw()
        if fault in BATCH_FAULTS and not is_batch(body):
            self.deck.put_back(fault)
            fault = None
        if fault is not None:
            self._count(fault)
        if fault == "drop":
            return "drop"
        if fault == "reorder":
            return self._hold(body)
        if fault in ("http_413", "http_500", "http_503"):
            return _refusal(int(fault[-3:]))
        if fault == "delay":
            threading.Event().wait(self._uniform(0, MAX_DELAY))
        if fault == "duplicate":
            threading.Thread(target=self._forward, args=(path, body), daemon=True).start()
        body = self._mangle(fault, body)
        reply = self._forward(path, body)
        self._flush_held()
        if fault == "reset":
            return "reset"
        return self._mangle_reply(fault, reply)

    def _mangle(self, fault: str | None, body: bytes) -> bytes:
        if fault == "truncate" and len(body) > 1:
            return body[: self._randrange(1, len(body))]
        if fault == "corrupt":
            return corrupt_one_envelope(body, self._rng())
        if fault == "shuffle":
            return shuffle_batch(body, self._rng())
        return body

    def _mangle_reply(self, fault: str | None, reply: Reply) -> Reply:
        if fault == "truncate_reply" and len(reply.body) > 1:
            return Reply(reply.status, reply.body[: self._randrange(1, len(reply.body))])
        if fault == "corrupt_reply":
            return Reply(reply.status, corrupt_receipt(reply.body, self._rng()))
        return reply

    def _forward(self, path: str, body: bytes) -> Reply:
        try:
            response = self.client.post(
                self.target + path, content=body, headers={"content-type": "application/json"}
            )
        except httpx.HTTPError:
            return _refusal(502)
        self._read_results(response.content)
        return Reply(response.status_code, response.content)

    def _hold(self, body: bytes) -> str:
        """Keep ``body`` to forward after the next request; the sender sees no answer."""
        with self.lock:
            if self.held is not None:
                return "drop"
            self.held = body
        threading.Timer(HOLD_SECONDS, self._flush_held).start()
        return "drop"

    def _flush_held(self) -> None:
        with self.lock:
            body, self.held = self.held, None
        if body is not None:
            self._forward("/api/v1/exchange/inbox", body)

    def _read_results(self, content: bytes) -> None:
        try:
            results = json.loads(content).get("results") or []
        except (ValueError, AttributeError):
            return
        with self.lock:
            for result in results:
                self.seen[f"{result.get('status')}:{result.get('code')}"] += 1

    def _count(self, fault: str) -> None:
        with self.lock:
            self.injected[fault] += 1

    def _rng(self) -> random.Random:
        with self.lock:
            return random.Random(self.rng.getrandbits(64))

    def _uniform(self, low: float, high: float) -> float:
        return self._rng().uniform(low, high)

    def _randrange(self, low: int, high: int) -> int:
        return self._rng().randrange(low, high)


def _refusal(status: int) -> Reply:
    body = {"code": f"chaos.http_{status}", "message": "answered by the chaos proxy"}
    return Reply(status, json.dumps(body).encode())


def corrupt_one_envelope(body: bytes, rng: random.Random) -> bytes:
    """Flip one base64 character of one envelope's signature or ciphertext; JSON stays valid."""
    try:
        data = json.loads(body)
    except ValueError:
        return body
    envelopes = data if isinstance(data, list) else [data]
    target = rng.choice(envelopes)
    field = rng.choice(("signature", "payload"))
    key = "value" if field == "signature" else "ciphertext"
    if isinstance(target.get(field), dict) and isinstance(target[field].get(key), str):
        target[field][key] = flip(target[field][key], rng)
    return json.dumps(data, separators=(",", ":")).encode()


def corrupt_receipt(body: bytes, rng: random.Random) -> bytes:
    try:
        data = json.loads(body)
        signature = data["receipt"]["signature"]
        signature["value"] = flip(signature["value"], rng)
    except (ValueError, KeyError, TypeError):
        return body[:-1] + b"}" if body else body
    return json.dumps(data, separators=(",", ":")).encode()


def shuffle_batch(body: bytes, rng: random.Random) -> bytes:
    try:
        data = json.loads(body)
    except ValueError:
        return body
    if not isinstance(data, list):
        return body
    rng.shuffle(data)
    return json.dumps(data, separators=(",", ":")).encode()


def is_batch(body: bytes) -> bool:
    """A JSON array of two or more envelopes (cheap test on the bytes, then parsed)."""
    if not body.startswith(b"["):
        return False
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, list) and len(data) > 1


def flip(text: str, rng: random.Random) -> str:
    if not text:
        return text
    where = rng.randrange(len(text))
    other = rng.choice([c for c in B64 if c != text[where]])
    return text[:where] + other + text[where + 1 :]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A sender killed or timed out mid-request is part of the test, not an error."""


def _handler(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("content-length") or 0)
            outcome = proxy.handle(self.path, self.rfile.read(length))
            if isinstance(outcome, Reply):
                self._answer(outcome)
            elif outcome == "reset":
                self._reset()
            else:
                self.close_connection = True

        def _answer(self, reply: Reply) -> None:
            self.send_response_only(reply.status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(reply.body)))
            self.end_headers()
            try:
                self.wfile.write(reply.body)
            except OSError:  # the sender went away (killed, or gave up waiting)
                self.close_connection = True

        def _reset(self) -> None:
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    return Handler


__all__ = [
    "BATCH_FAULTS",
    "PROXY_FAULTS",
    "Deck",
    "FaultProxy",
    "Reply",
    "corrupt_one_envelope",
    "flip",
]
