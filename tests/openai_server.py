"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions protocol, for tests.

`reply(request_json) -> Reply` decides each answer, so a test can script content, faults (429 with retry-after,
500/503), delays and malformed bodies. Every request is recorded. HTTP/1.1 with keep-alive, one thread per
connection.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.handler_server import QuietServer


@dataclass
class Reply:
    content: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    raw_body: bytes | None = None  # sent as is, instead of a completion (malformed JSON, say)


@dataclass
class Server:
    url: str
    requests: list[dict[str, Any]]
    headers: list[dict[str, str]]


def completion(content: str, model: str = "test-model") -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": max(1, len(content) // 4), "total_tokens": 0},
    }


@contextmanager
def serve(reply: Callable[[dict[str, Any]], Reply]) -> Iterator[Server]:
    requests: list[dict[str, Any]] = []
    headers: list[dict[str, str]] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: a client reuses its connections, as with a real API
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
            with lock:
                requests.append(body)
                headers.append(dict(self.headers))
            answer = reply(body)
            if answer.delay_s:
                time.sleep(answer.delay_s)
            payload = answer.raw_body
            if payload is None:
                data = completion(answer.content) if answer.status == 200 else {"error": {"message": "injected"}}
                payload = json.dumps(data).encode()
            try:
                self.send_response(answer.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield Server(url=f"http://127.0.0.1:{httpd.server_address[1]}/v1", requests=requests, headers=headers)
    finally:
        httpd.shutdown()
        httpd.server_close()
