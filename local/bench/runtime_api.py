"""A local Lambda Runtime API (the 2018-06-01 interface a Lambda sandbox offers), so a
function binary or a Python handler under awslambdaric runs here exactly as it starts in
Lambda: it asks GET /invocation/next for an event and POSTs the response back.

It records when the process first asked for an event (the end of its init) and when each
response came back, which is what the cold-start and warm-latency benchmarks read.
"""

import json
import queue
import threading
import time
import uuid
from http.server import ThreadingHTTPServer

from quiet_http import QuietHandler  # local/, on the path of every user of this module

PREFIX = "/2018-06-01/runtime"


class RuntimeApi:
    def __init__(self):
        self.events = queue.Queue()
        self.results = {}  # request id -> (status code of the POST kind, body, time)
        self.done = threading.Condition()
        self.first_next_at = None
        self.init_error = None
        api = self

        class Handler(QuietHandler):
            def do_GET(self):
                if self.path != f"{PREFIX}/invocation/next":
                    return self.reply(404)
                now = time.perf_counter()
                if api.first_next_at is None:
                    api.first_next_at = now
                while True:
                    try:
                        request_id, payload = api.events.get(timeout=0.5)
                        break
                    except queue.Empty:
                        if api.closed:
                            return self.reply(410)
                api.delivered[request_id] = time.perf_counter()
                deadline = int(time.time() * 1000) + 30_000
                self.reply(
                    200,
                    [
                        ("content-type", "application/json"),
                        ("lambda-runtime-aws-request-id", request_id),
                        ("lambda-runtime-deadline-ms", str(deadline)),
                        ("lambda-runtime-invoked-function-arn", "arn:aws:lambda:us-east-1:123456789012:function:bench"),
                        ("lambda-runtime-trace-id", "Root=1-00000000-000000000000000000000000;Sampled=0"),
                    ],
                    payload,
                )

            def do_POST(self):
                now = time.perf_counter()
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = self.path[len(PREFIX) :].strip("/").split("/")
                if parts[:2] == ["init", "error"]:
                    api.init_error = body.decode(errors="replace")
                    with api.done:
                        api.done.notify_all()
                    return self.reply(202)
                if len(parts) == 3 and parts[0] == "invocation":
                    with api.done:
                        api.results[parts[1]] = (parts[2], body, now)
                        api.done.notify_all()
                    return self.reply(202)
                self.reply(404)

        self.closed = False
        self.delivered = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A killed function drops its connection mid-request: expected here, not an error.
        self.server.handle_error = lambda request, address: None
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def address(self):
        return f"127.0.0.1:{self.server.server_address[1]}"

    def wait_ready(self, timeout):
        deadline = time.perf_counter() + timeout
        while self.first_next_at is None and self.init_error is None:
            if time.perf_counter() > deadline:
                raise TimeoutError("the function never asked for an event")
            time.sleep(0.0002)
        if self.init_error is not None:
            raise RuntimeError(f"init failed: {self.init_error}")
        return self.first_next_at

    def invoke(self, event, timeout=30):
        """Queues one event and waits for its outcome: (kind, payload, delivered at,
        answered at), times from time.perf_counter()."""
        request_id = str(uuid.uuid4())
        self.events.put((request_id, json.dumps(event).encode()))
        deadline = time.perf_counter() + timeout
        with self.done:
            while request_id not in self.results:
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise TimeoutError("no response from the function")
                self.done.wait(left)
            kind, body, at = self.results.pop(request_id)
        return kind, body, self.delivered.pop(request_id), at

    def close(self):
        self.closed = True
        self.server.shutdown()
        self.server.server_close()
