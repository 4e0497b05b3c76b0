"""The local stand-in for the X-Ray daemon, and a reader of the traces it keeps.

  xray.py listen --port P --out FILE
      receives segment documents over UDP as the daemon does beside a Lambda function
      (`{"format":"json","version":1}` then the document) and appends each to FILE as one
      JSON line; the functions find it through AWS_XRAY_DAEMON_ADDRESS (local/env.sh).
  xray.py show TRACE_ID [--file FILE]
      prints one trace as a tree: every function's handler, what it called (DynamoDB
      operations and tables, other services' routes), durations and statuses.
  xray.py list [--file FILE] [--last N]
      the latest traces: when, the first handler's route, duration, segments, faults.

A trace id is in every response (`x-trace-id`) and in every request's log line.
"""

import argparse
import json
import os
import socket
import sys
from collections import defaultdict

DEFAULT_FILE = os.path.join(os.environ.get("STATE_DIR", ".local"), "logs", "traces.jsonl")


def listen(port, out):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", port))
    with open(out, "w", encoding="utf-8") as file:  # a new collector, a new file
        while True:
            packet, _ = sock.recvfrom(65536)
            header, _, body = packet.partition(b"\n")
            try:
                if json.loads(header).get("format") != "json":
                    continue
                document = json.loads(body)
            except ValueError:
                print(f"xray: dropped a malformed packet of {len(packet)} bytes", file=sys.stderr)
                continue
            file.write(json.dumps(document, separators=(",", ":")) + "\n")
            file.flush()


def read(path):
    with open(path, encoding="utf-8") as file:
        return [json.loads(line) for line in file if line.strip()]


def label(doc):
    status = doc.get("http", {}).get("response", {}).get("status")
    flags = [f for f in ("fault", "error", "throttle") if doc.get(f)]
    ms = (doc["end_time"] - doc["start_time"]) * 1000
    what = doc["name"]
    if doc.get("namespace") == "aws":
        aws = doc.get("aws", {})
        what = f"DynamoDB {aws.get('operation', '')} {aws.get('table_name', '')}".rstrip()
    elif doc.get("namespace") == "remote":
        request = doc.get("http", {}).get("request", {})
        what = f"→ {doc['name']}: {request.get('method', '')} {request.get('url', '')}"
    else:
        route = doc.get("annotations", {}).get("route", "")
        caller = doc.get("annotations", {}).get("caller", "")
        what = f"{doc['name']} [{route}] {caller}".rstrip()
    return f"{what}  {ms:.1f} ms  {status if status is not None else ''} {' '.join(flags)}".rstrip()


def show(trace_id, path):
    docs = [d for d in read(path) if d.get("trace_id") == trace_id]
    if not docs:
        sys.exit(f"xray: no trace {trace_id} in {path}")
    ids = {d["id"] for d in docs}
    children = defaultdict(list)
    roots = []
    for doc in sorted(docs, key=lambda d: d["start_time"]):
        parent = doc.get("parent_id")
        (children[parent] if parent in ids else roots).append(doc)

    def walk(doc, depth):
        print("  " * depth + label(doc))
        for child in children[doc["id"]]:
            walk(child, depth + 1)

    print(f"trace {trace_id}: {len(docs)} segments")
    for root in roots:
        walk(root, 1)


def list_traces(path, last):
    traces = defaultdict(list)
    for doc in read(path):
        traces[doc["trace_id"]].append(doc)
    rows = sorted(traces.items(), key=lambda item: min(d["start_time"] for d in item[1]))[-last:]
    for trace_id, docs in rows:
        first = min(docs, key=lambda d: d["start_time"])
        ms = (max(d["end_time"] for d in docs) - first["start_time"]) * 1000
        faults = sum(1 for d in docs if d.get("fault"))
        route = first.get("annotations", {}).get("route", first["name"])
        print(f"{trace_id}  {route:40} {ms:8.1f} ms  {len(docs):3} segments  {faults} faults")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    listener = commands.add_parser("listen")
    listener.add_argument("--port", type=int, required=True)
    listener.add_argument("--out", required=True)
    shower = commands.add_parser("show")
    shower.add_argument("trace_id")
    shower.add_argument("--file", default=DEFAULT_FILE)
    lister = commands.add_parser("list")
    lister.add_argument("--file", default=DEFAULT_FILE)
    lister.add_argument("--last", type=int, default=20)
    args = parser.parse_args()
    if args.command == "listen":
        listen(args.port, args.out)
    elif args.command == "show":
        show(args.trace_id, args.file)
    else:
        list_traces(args.file, args.last)


if __name__ == "__main__":
    main()
