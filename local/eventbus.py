"""The local stand-in for the EventBridge bus: answers PutEvents (the AWS JSON 1.1
protocol the SDK speaks, at EVENTBRIDGE_ENDPOINT) and appends every event, in the
envelope a rule's target would receive (id, time, source, detail-type, detail), to a file
of JSON lines. With --control FILE, a file holding "down" makes it refuse every call
(503), as an outage would, for the fault tests.

  eventbus.py --port P --out FILE [--control FILE]
"""

import argparse
import json
import uuid
from datetime import datetime, timezone

from aiohttp import web

TARGET = "AWSEvents.PutEvents"


def is_down(control):
    if not control:
        return False
    try:
        with open(control, encoding="utf-8") as file:
            return file.read().strip() == "down"
    except FileNotFoundError:
        return False


def app_for(out, control):
    file = open(out, "w", encoding="utf-8")  # a new bus, a new file

    async def handle(request):
        if request.headers.get("x-amz-target") != TARGET:
            return web.json_response({"__type": "UnknownOperationException"}, status=400)
        if is_down(control):
            return web.json_response({"__type": "InternalException", "message": "bus down"}, status=503)
        body = await request.json(loads=json.loads)
        answers = []
        for entry in body.get("Entries", []):
            event = {
                "version": "0",
                "id": str(uuid.uuid4()),
                "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "event-bus-name": entry.get("EventBusName", "default"),
                "source": entry["Source"],
                "detail-type": entry["DetailType"],
                "detail": json.loads(entry["Detail"]),
            }
            file.write(json.dumps(event, separators=(",", ":")) + "\n")
            answers.append({"EventId": event["id"]})
        file.flush()
        return web.json_response(
            {"FailedEntryCount": 0, "Entries": answers}, content_type="application/x-amz-json-1.1"
        )

    app = web.Application()
    app.router.add_post("/", handle)
    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--control")
    args = parser.parse_args()
    web.run_app(app_for(args.out, args.control), host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
