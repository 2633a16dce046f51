"""A local Relbase API (domain §3) over real HTTP on 127.0.0.1, serving a sandbox state file.

Endpoints under ``/api/v1``: ``/bodegas``, ``/productos?page=N``, ``/productos/{id}``,
``/productos/{id}/lotes_series/{warehouse_id}``. Both headers (``company``, ``authorization``) are
required (401 otherwise). Retired products (SKU ``ANU…``) answer 401 or 403. More than
``rate_limit`` requests arriving in any ``window`` seconds answer 403, like Relbase. The server
counts calls per endpoint, keeps every arrival time, and injects faults (5xx, timeouts, malformed
JSON) at a configured rate, seeded.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from extract.sandbox.inventory import is_retired

FAULT_KINDS = ("5xx", "timeout", "malformed")
THROTTLE_MESSAGE = "Has excedido el límite de solicitudes por segundo"


@dataclass
class ServerOptions:
    """Rate limit, fault injection and timing of the local Relbase."""

    rate_limit: int = 7
    window: float = 1.0
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    timeout_delay: float = 2.0
    seed: int = 0


@dataclass
class CallLog:
    """What the server saw: calls per endpoint (throttled ones included), throttles, faults, times."""

    calls: Counter = field(default_factory=Counter)
    throttled: int = 0
    faults: Counter = field(default_factory=Counter)
    arrivals: list[float] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    def max_in_window(self, window: float = 1.0) -> int:
        """The most requests that arrived within any ``window`` seconds."""
        times = sorted(self.arrivals)
        best, start = 0, 0
        for end, t in enumerate(times):
            while t - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best


ROUTES = (
    ("bodegas", re.compile(r"^/api/v1/bodegas/?$")),
    ("productos", re.compile(r"^/api/v1/productos/?$")),
    ("producto", re.compile(r"^/api/v1/productos/(?P<pid>\d+)/?$")),
    ("lotes_series", re.compile(r"^/api/v1/productos/(?P<pid>\d+)/lotes_series/(?P<wid>\d+)/?$")),
)


class RelbaseServer:
    """Start/stop (or use as a context manager); ``url`` is the API base once started."""

    def __init__(
        self,
        state_path: Path | str,
        company_token: str,
        user_token: str,
        options: ServerOptions | None = None,
        port: int = 0,
    ) -> None:
        self.port = port
        self.state_path = Path(state_path)
        self.company_token = company_token
        self.user_token = user_token
        self.options = options or ServerOptions()
        self.log = CallLog()
        self._lock = threading.Lock()
        self._recent: deque[float] = deque()
        self._rng = random.Random(self.options.seed)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.reload()

    @classmethod
    def from_entry(
        cls, entry: dict[str, Any], options: ServerOptions | None = None, port: int = 0
    ) -> RelbaseServer:
        return cls(entry["state"], entry["company_token"], entry["user_token"], options, port)

    def reload(self) -> None:
        """Read the state file again (after a sandbox change batch)."""
        state = json.loads(self.state_path.read_text())
        with self._lock:
            self.state = state
            self.products = {p["id"]: p for p in state["products"]}

    def reset_log(self) -> None:
        with self._lock:
            self.log = CallLog()

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/api/v1"

    def start(self) -> RelbaseServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="relbase-sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> RelbaseServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ request handling

    def _admit(self, endpoint: str) -> tuple[bool, str | None]:
        """Count the call; (throttled?, injected fault or None)."""
        now = time.monotonic()
        opts = self.options
        with self._lock:
            self.log.calls[endpoint] += 1
            self.log.arrivals.append(now)
            while self._recent and now - self._recent[0] >= opts.window:
                self._recent.popleft()
            self._recent.append(now)
            if len(self._recent) > opts.rate_limit:
                self.log.throttled += 1
                return True, None
            if opts.fault_rate and self._rng.random() < opts.fault_rate:
                kind = self._rng.choice(opts.fault_kinds)
                self.log.faults[kind] += 1
                return False, kind
        return False, None

    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        parsed = urlparse(req.path)
        endpoint, match = next(
            ((name, m) for name, rx in ROUTES if (m := rx.match(parsed.path))), ("unknown", None)
        )
        throttled, fault = self._admit(endpoint)
        if throttled:
            return _send(req, 403, {"error": THROTTLE_MESSAGE})
        if req.headers.get("company") != self.company_token or req.headers.get("authorization") != (
            self.user_token
        ):
            return _send(req, 401, {"error": "Credenciales inválidas"})
        if fault == "5xx":
            return _send(req, self._rng.choice([500, 502, 503]), {"error": "Internal Server Error"})
        if fault == "timeout":
            time.sleep(self.options.timeout_delay)
        if match is None:
            return _send(req, 404, {"error": "No encontrado"})
        status, body = self._route(endpoint, match, parse_qs(parsed.query))
        if fault == "malformed":
            raw = json.dumps(body).encode()
            return _send_raw(req, 200, raw[: max(1, len(raw) // 2)])
        return _send(req, status, body)

    def _route(self, endpoint: str, match: re.Match, query: dict[str, list[str]]) -> tuple[int, Any]:
        state = self.state
        if endpoint == "bodegas":
            return 200, {"data": {"warehouses": state["warehouses"]}, "meta": {}}
        if endpoint == "productos":
            per_page = int(state.get("per_page", 50))
            try:
                page = max(1, int(query.get("page", ["1"])[0]))
            except ValueError:
                return 400, {"error": "page inválida"}
            products = state["products"]
            total_pages = max(1, -(-len(products) // per_page))
            chunk = products[(page - 1) * per_page : page * per_page]
            meta = {
                "current_page": page,
                "next_page": page + 1 if page < total_pages else None,
                "prev_page": page - 1 if page > 1 else None,
                "total_pages": total_pages,
                "total_count": len(products),
            }
            return 200, {"data": {"products": chunk}, "meta": meta}
        pid = int(match["pid"])
        product = self.products.get(pid)
        if product is None:
            return 404, {"error": "Producto no encontrado"}
        if is_retired(product):
            return (401 if pid % 2 else 403), {"error": "Producto anulado"}
        if endpoint == "producto":
            stock = state["inventories"].get(str(pid), {})
            inventories = [{"ware_house_id": int(wid), "stock": qty} for wid, qty in stock.items()]
            return 200, {"data": {**product, "inventories": inventories}, "meta": {}}
        lots = state["lots"].get(str(pid), {}).get(match["wid"], [])
        if not lots:
            return 404, {"error": "No existen lotes"}
        return 200, {"data": {"lot_serial_numbers": lots}, "meta": {}}


def _send(req: BaseHTTPRequestHandler, status: int, body: Any) -> None:
    _send_raw(req, status, json.dumps(body, ensure_ascii=False).encode())


def _send_raw(req: BaseHTTPRequestHandler, status: int, raw: bytes) -> None:
    try:
        req.send_response(status)
        req.send_header("Content-Type", "application/json; charset=utf-8")
        req.send_header("Content-Length", str(len(raw)))
        req.end_headers()
        req.wfile.write(raw)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up (timeout fault)
