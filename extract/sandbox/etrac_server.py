"""A local e-Track Web Service (domain §2) over real HTTP on 127.0.0.1, serving the sandbox fleet.

POST ``/ultimas-posicoes``, ``/ultimaposicao`` and ``/ultimasposicoesterminal`` with HTTP Basic auth,
the API's envelopes and ``erro`` bodies, and the 24 h limit on history windows. It counts calls
(``calls`` per path, ``history_calls``: authorised history requests per plate and day) and injects
faults at a configured rate: 429, 500/502/503, a stalled response (the client's read timeout
fires), malformed JSON, and, only when asked for, 401.

    with EtracServer(entry, faults=Faults(rate=0.2)) as server:
        server.url  # http://127.0.0.1:<port>

``elt sandbox serve`` serves the generated sandbox's APIs until Ctrl-C.
"""

from __future__ import annotations

import base64
import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from extract.sandbox.fleet import BRT, FleetSim, clock, public

TRANSIENT = ("429", "500", "502", "503", "timeout", "malformed")


@dataclass(frozen=True)
class Faults:
    """Inject a fault into a share ``rate`` of requests, picked from ``kinds``."""

    rate: float = 0.0
    kinds: tuple[str, ...] = TRANSIENT
    stall_s: float = 2.0  # how long a "timeout" response stalls before answering
    seed: int = 7


class EtracServer:
    """The threaded server; a context manager that starts and stops it."""

    def __init__(
        self,
        entry: dict[str, Any],
        *,
        faults: Faults | None = None,
        port: int = 0,
        now: datetime | None = None,
    ) -> None:
        self.entry = entry
        self.sim = FleetSim.from_entry(entry)
        self.user, self.key = entry["user"], entry["key"]
        self.faults = faults or Faults()
        self.now = now
        self.calls: Counter[str] = Counter()
        self.faults_served: Counter[str] = Counter()
        self.history_calls: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        self._rng = random.Random(self.faults.seed)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def clock(self) -> datetime:
        return self.now or clock(self.entry)

    def start(self) -> EtracServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="etrac-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> EtracServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ request handling

    def pick_fault(self) -> str | None:
        with self._lock:
            if self.faults.rate and self._rng.random() < self.faults.rate:
                kind = self._rng.choice(self.faults.kinds)
                self.faults_served[kind] += 1
                return kind
        return None

    def authorised(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _, key = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return user == self.user and key == self.key

    def answer(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Status and JSON body of one authorised call."""
        plates = self.sim.plates
        now = self.clock()
        if path == "/ultimas-posicoes":
            rows = [self.sim.latest(p, now) for p in plates]
            return 200, {"retorno": [public(r) for r in rows if r]}
        plate = str(body.get("placa") or "").strip().upper()
        if not plate:
            return 400, _erro("campo placa obrigatório", 400)
        if plate not in plates:
            return 404, _erro(f"placa {plate} não encontrada", 404)
        if path == "/ultimaposicao":
            row = self.sim.latest(plate, now)
            return 200, {"retorno": [public(row)] if row else []}
        # /ultimasposicoesterminal
        try:
            if "data" in body:
                start = datetime.strptime(str(body["data"]), "%d/%m/%Y")
                end = start + timedelta(days=1) - timedelta(seconds=1)
            else:
                start = datetime.strptime(str(body["data_inicio"]), "%d/%m/%Y %H:%M:%S")
                end = datetime.strptime(str(body["data_fim"]), "%d/%m/%Y %H:%M:%S")
        except (KeyError, ValueError):
            return 400, _erro(
                "informe data (DD/MM/YYYY) ou data_inicio e data_fim (DD/MM/YYYY HH:MM:SS)", 400
            )
        if end < start or end - start > timedelta(hours=24):
            return 400, _erro("intervalo máximo de 24 horas", 400)
        local_now = now.astimezone(BRT).replace(tzinfo=None)
        rows = [public(r) for r in self.sim.window(plate, start, min(end, local_now))]
        rng = random.Random(f"{plate}:{start.isoformat()}")
        for row in rows:
            if rng.random() < 0.3:  # history items may lack placa
                del row["placa"]
        return 200, {"terminal": self.sim.terminal(plate), "posicoes": rows}


def _erro(message: str, code: int) -> dict[str, Any]:
    return {"erro": message, "code_header": str(code)}


def _handler(server: EtracServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _send(self, status: int, payload: bytes, extra: dict[str, str] | None = None) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (read timeout)
                pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            self._send(status, json.dumps(body, ensure_ascii=False).encode())

        def do_GET(self) -> None:
            self._json(405, _erro("use POST", 405))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            with server._lock:
                server.calls[self.path] += 1
            if self.path not in {"/ultimas-posicoes", "/ultimaposicao", "/ultimasposicoesterminal"}:
                self._json(404, _erro(f"recurso {self.path} inexistente", 404))
                return
            fault = server.pick_fault()
            if fault == "401" or not server.authorised(self.headers.get("Authorization")):
                self._json(401, _erro("usuário ou chave inválidos", 401))
                return
            if fault in {"429", "500", "502", "503"}:
                extra = {"Retry-After": "0"} if fault == "429" else None
                body = json.dumps(_erro("falha temporária", int(fault))).encode()
                self._send(int(fault), body, extra)
                return
            if fault == "timeout":
                time.sleep(server.faults.stall_s)
            try:
                body = json.loads(raw or b"{}")
                if not isinstance(body, dict):
                    raise ValueError("body is not an object")
            except ValueError:
                self._json(400, _erro("corpo JSON inválido", 400))
                return
            if self.path == "/ultimasposicoesterminal":
                with server._lock:
                    server.history_calls[(str(body.get("placa", "")).upper(), _day_of(body))] += 1
            status, payload = server.answer(self.path, body)
            data = json.dumps(payload, ensure_ascii=False).encode()
            if fault == "malformed" and status == 200:
                data = data[: max(1, len(data) // 2)]  # a truncated body
            self._send(status, data)

    return Handler


def _day_of(body: dict[str, Any]) -> str:
    text = str(body.get("data") or body.get("data_inicio") or "")[:10]
    try:
        return datetime.strptime(text, "%d/%m/%Y").date().isoformat()
    except ValueError:
        return date.min.isoformat()
