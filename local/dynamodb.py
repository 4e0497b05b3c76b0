"""The local DynamoDB engine: moto's server behind one lock.

moto checks a condition and then writes in two steps, so two concurrent conditional
writes could both pass. Serving one request at a time makes every request atomic, which
is what the platform's invariants (unique emails, stock never below zero) rely on.
"""

import argparse
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

LOCK = threading.Lock()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()

    app = DomainDispatcherApplication(create_backend_app)

    def locked(environ, start_response):
        with LOCK:
            # Drain the response inside the lock: werkzeug may produce it lazily.
            return list(app(environ, start_response))

    run_simple(args.host, args.port, locked, threaded=True)


if __name__ == "__main__":
    main()
