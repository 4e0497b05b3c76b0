"""The base of the local stand-ins' HTTP handlers: HTTP/1.1 keep-alive, no request log,
no Nagle delay, and one way to answer."""

from http.server import BaseHTTPRequestHandler


class QuietHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without this, Nagle's algorithm and
    # delayed ACKs add 40 ms to every reply.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def reply(self, status, headers=(), body=b""):
        """Answers `status` with `headers` ((name, value) pairs) and `body`."""
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
