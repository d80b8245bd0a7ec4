"""Serve an `httpx2` request handler (the kind MockTransport takes) over real HTTP on 127.0.0.1.

For code paths where no client can be passed in (a whole build): the same emulators the SDK tests use answer
real sockets.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx2

Handler = Callable[[httpx2.Request], httpx2.Response]


class QuietServer(ThreadingHTTPServer):
    """A threaded test server on 127.0.0.1 that keeps a test's stderr clean of dropped keep-alive connections."""

    request_queue_size = 256  # the default backlog of 5 drops connections when many clients connect at once
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a client closed its keep-alive connection (a timeout, a retry): no traceback on the test's stderr
        super().handle_error(request, client_address)


@contextmanager
def serve_handler(handler: Handler) -> Iterator[str]:
    lock = threading.Lock()

    class Adapter(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            url = f"http://{self.headers.get('host', '127.0.0.1')}{self.path}"
            request = httpx2.Request(self.command, url, headers=dict(self.headers), content=body)
            with lock:
                response = handler(request)
            payload = response.read()
            self.send_response(response.status_code)
            for key, value in response.headers.items():
                if key.lower() not in ("content-length", "transfer-encoding", "content-encoding"):
                    self.send_header(key, value)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = QuietServer(("127.0.0.1", 0), Adapter)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()
