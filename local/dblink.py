"""An HTTP link from the functions to the DynamoDB engine that can answer like a
throttled DynamoDB, and that records how long each call spent on the other side.

The local stack runs one between the gateway's functions and the engine, so that
end-to-end tests can inject throttling; the function benchmark runs one in-process to
take the database round-trips out of a handler's time. Modes, read from the control file
on every request:

  up            forward (also when the file is missing)
  throttle      answer the first attempt of every call with ThrottlingException (HTTP 400),
                as DynamoDB does when a table or account is over its rate, and forward its
                retries: the attempt number is the SDK's `amz-sdk-request: attempt=N` header
                (without it, every other request is throttled). Per call, not every other
                request overall, so concurrent callers cannot make one call's retries fail.
  throttle-all  answer every request so

Throttled answers are counted in the control file's name + ".throttled".
"""

import argparse
import http.client
import itertools
import pathlib
import threading
import time
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit

from quiet_http import QuietHandler

THROTTLED = (
    b'{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException",'
    b'"message":"Rate of requests exceeds the allowed throughput."}'
)


class DynamoLink:
    def __init__(self, upstream, port=0, control=None, record_times=False):
        target = urlsplit(upstream)
        self.record_times = record_times
        self.intervals = []  # (start, end) of each forwarded call, time.perf_counter()
        self.control = pathlib.Path(control) if control else None
        self.throttled = 0
        counter = itertools.count()
        lock = threading.Lock()

        def first_attempt(headers):
            # amz-sdk-request: attempt=1; max=3
            fields = dict(part.strip().partition("=")[::2]
                          for part in headers.get("amz-sdk-request", "").split(";") if "=" in part)
            if "attempt" in fields:
                return fields["attempt"] == "1"
            return next(counter) % 2 == 0
        local = threading.local()
        link = self

        class Handler(QuietHandler):
            def parse_request(self):
                self.started = time.perf_counter()
                return super().parse_request()

            

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                mode = link.mode()
                if mode == "throttle-all" or (mode == "throttle" and first_attempt(self.headers)):
                    link.count_throttled()
                    return self.reply(400, [("content-type", "application/x-amz-json-1.0")], THROTTLED)
                connection = getattr(local, "connection", None)
                if connection is None:
                    connection = local.connection = http.client.HTTPConnection(target.hostname, target.port,
                                                                               timeout=300)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                try:
                    connection.request("POST", self.path, body, headers)
                    answer = connection.getresponse()
                    payload = answer.read()
                except (OSError, http.client.HTTPException):
                    local.connection = None
                    self.close_connection = True
                    return self.reply(503, [], b"")
                passed = [(k, v) for k, v in answer.getheaders()
                          if k.lower() not in ("content-length", "connection", "transfer-encoding", "server", "date")]
                self.reply(answer.status, passed, payload)
                if link.record_times:
                    with lock:
                        link.intervals.append((self.started, time.perf_counter()))

            do_GET = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True

    def mode(self):
        if self.control is None:
            return "up"
        try:
            return self.control.read_text().strip() or "up"
        except FileNotFoundError:
            return "up"

    def count_throttled(self):
        self.throttled += 1
        if self.control is not None:
            self.control.with_name(self.control.name + ".throttled").write_text(str(self.throttled))

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def time_within(self, start, end):
        """Seconds within [start, end] during which at least one database call was out
        (concurrent calls count once)."""
        clipped = sorted((max(s, start), min(e, end)) for s, e in list(self.intervals) if e > start and s < end)
        total, covered_to = 0.0, start
        for s, e in clipped:
            if e > covered_to:
                total += e - max(s, covered_to)
                covered_to = e
        return total

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--to", required=True, help="the engine's URL")
    parser.add_argument("--control", type=pathlib.Path, required=True)
    args = parser.parse_args()
    link = DynamoLink(args.to, args.listen, args.control)
    link.server.serve_forever()


if __name__ == "__main__":
    main()
