"""The local stand-in for the stack's two HTTP APIs (API Gateway, payload format 2.0).

It stands in front of the Lambda emulator (`cargo lambda watch`, which listens privately
and is never exposed) and sends each function the event API Gateway would:

  public port    the public API (HttpApi in template.yaml): every route of the
                 declaration except the internal ones
  internal port  the internal API (InternalApi): only the `/internal/...` routes, for the
                 service-to-service calls; as in AWS (IAM authorization), a call must be
                 signed (SigV4, service `execute-api`) with the stack's credentials
                 (local/env.sh), or it is a 403

Every answer of the gateway's own is a problem document (application/problem+json), as
the functions' are: a body over 10 MB is a 413, a header line over 8 KB a 431, a method
no HTTP parser knows a 501, any other malformed request (Content-Length with
Transfer-Encoding, a bad request line) a 400.

The Lambda emulator takes an invocation with any event from whatever reaches its port;
the functions take only events that carry the run's invocation key (LOCAL_INVOKE_KEY,
made anew by local/up.sh each run and given to the emulator and the gateway alone), which
the gateway puts in every event (runtime::serve): in AWS only the API may invoke them.

A request that matches no route of its port (an unknown path, or a known path with
another method) goes to the `unrouted` function, as the public API's `$default` route does
in AWS, which answers 404 or 405 problem documents. (In AWS the internal API has no
`$default` route: API Gateway itself answers such a request 404, signed or not; here a
signed one gets the `unrouted` function's answer, an unsigned one a 403.)

The event carries the route key, the path parameters and, as
`requestContext.http.sourceIp`, the client's address (the TCP peer), so that limits per
client address work and can be tested from 127.0.0.2.

The routes are read from the router that `cargo run -p codegen` generates in Cargo.toml
from the declaration (shared/endpoints/src/lib.rs).
"""

import argparse
import asyncio
import base64
import hashlib
import hmac
import os
import json
import re
import time
import tomllib
import uuid
from datetime import datetime, timezone

from aiohttp import ClientSession, ClientTimeout, http_exceptions, web, web_protocol, web_server
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

# API Gateway's own limits: a 10 MB body and a 30 s integration timeout.
MAX_BODY = 10 * 1024 * 1024
# A request line and a header line are at most 8 KB each (aiohttp's limits).
MAX_REQUEST_LINE = 8190
MAX_HEADER = 8191
TIMEOUT_SECONDS = 30
UNROUTED = "unrouted"
# The header in which each event carries the run's invocation key (runtime::serve).
INVOKE_KEY_HEADER = "x-local-invoke-key"


class Route:
    def __init__(self, method, path, function):
        self.method, self.path, self.function = method, path, function
        pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(path))
        self.pattern = re.compile(f"^{pattern}$")
        # API Gateway prefers the most specific route: more literal segments first.
        self.literal_segments = sum(1 for part in path.split("/") if part and not part.startswith("{"))


def load_routes(cargo_toml, internal):
    with open(cargo_toml, "rb") as file:
        router = tomllib.load(file)["workspace"]["metadata"]["lambda"]["watch"]["router"]
    routes = [
        Route(target["method"], path, target["function"])
        for path, targets in router.items()
        for target in targets
        if path.startswith("/internal/") == internal
    ]
    return sorted(routes, key=lambda route: -route.literal_segments)


def find(routes, method, path):
    for route in routes:
        found = route.pattern.match(path)
        if found and route.method == method:
            return route, found.groupdict()
    return None, None


def event_for(request, body, route, parameters, invoke_key):
    """The HTTP API's payload 2.0 event of `request`, with the run's invocation key."""
    headers = {}
    for name, value in request.headers.items():
        # Bytes that are not UTF-8 arrive as surrogates; the event is JSON text, as API
        # Gateway's is: they become U+FFFD.
        value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        name = name.lower()
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    # Set, never appended to: a client's header of that name is replaced.
    headers[INVOKE_KEY_HEADER] = invoke_key
    cookies = headers.pop("cookie", None)
    query = {}
    for name, value in request.query.items():
        query[name] = f"{query[name]},{value}" if name in query else value
    route_key = f"{route.method} {route.path}" if route else "$default"
    now = datetime.now(timezone.utc)
    event = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.rel_url.raw_path,
        "rawQueryString": request.rel_url.raw_query_string,
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": request.host,
            "domainPrefix": "local",
            "http": {
                "method": request.method,
                "path": request.rel_url.raw_path,
                "protocol": f"HTTP/{request.version.major}.{request.version.minor}",
                "sourceIp": request.remote or "",
                "userAgent": request.headers.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies.split("; ")
    if query:
        event["queryStringParameters"] = query
    if parameters:
        event["pathParameters"] = parameters
    if body:
        try:
            event["body"] = body.decode("utf-8")
        except UnicodeDecodeError:
            event["body"] = base64.b64encode(body).decode()
            event["isBase64Encoded"] = True
    return event


SIGNATURE = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/execute-api/aws4_request, "
    r"SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<signature>[0-9a-f]{64})$")
# API Gateway refuses a signature whose X-Amz-Date is more than 5 minutes off its clock,
# either way ("Signature expired: ... (... - 5 min.)"). Within that window it takes the
# same signed request again, and so does this check: a replay is refused once it is
# older than that, as in AWS.
MAX_SKEW_SECONDS = 5 * 60


def signed_by(request, body, credentials):
    """Whether `request` carries a valid SigV4 signature by `credentials`, checked with
    botocore's own signer over exactly the headers the caller signed and over the body:
    the canonical request has the body's own SHA-256, whatever the caller says of it (an
    `X-Amz-Content-SHA256` of another value, `UNSIGNED-PAYLOAD` included, is refused)."""
    found = SIGNATURE.match(request.headers.get("authorization", ""))
    if not found or found["key"] != credentials.access_key:
        return False
    # botocore's canonical request takes the header's value as the body's hash when there
    # is one: it must be the body's.
    declared = request.headers.getall("x-amz-content-sha256", [])
    if declared and declared != [hashlib.sha256(body).hexdigest()]:
        return False
    amz_date = request.headers.get("x-amz-date", "")
    try:
        signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return False
    if abs((datetime.now(timezone.utc) - signed_at).total_seconds()) > MAX_SKEW_SECONDS:
        return False
    names = found["signed"].split(";")
    headers = {name: request.headers.get(name, "") for name in names if name != "host"}
    url = f"http://{request.headers.get('host', '')}{request.rel_url.raw_path_qs}"
    aws_request = AWSRequest(method=request.method, url=url, data=body, headers=headers)
    aws_request.context["timestamp"] = amz_date
    signer = SigV4Auth(credentials, "execute-api", found["region"])
    string_to_sign = signer.string_to_sign(aws_request, signer.canonical_request(aws_request))
    expected = signer.signature(string_to_sign, aws_request)
    return hmac.compare_digest(expected, found["signature"])


def problem(status, title, detail):
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail})
    return web.Response(status=status, body=body, content_type="application/problem+json")


def refusal(exc):
    """The problem document of a request the HTTP parser refused (`exc`)."""
    if isinstance(exc, http_exceptions.BadHttpMethod):
        return problem(501, "Not implemented", "the request's method is not one this API knows")
    # The parser says which limit a line broke, not which line: the limits differ by a byte.
    if isinstance(exc, http_exceptions.LineTooLong) and exc.args[1] == MAX_HEADER:
        return problem(431, "Request header fields too large", f"a header is over {MAX_HEADER} bytes")
    if isinstance(exc, http_exceptions.LineTooLong):
        return problem(414, "URI too long", f"the request line is over {MAX_REQUEST_LINE} bytes")
    if isinstance(exc, http_exceptions.HttpProcessingError):
        return problem(400, "Bad request", "the request is not well-formed HTTP")
    return problem(500, "Internal server error", "the gateway failed")


class ProblemRequestHandler(web_protocol.RequestHandler):
    """aiohttp's connection handler, whose own answers (a request it cannot parse, a
    handler that failed) are problem documents instead of text."""

    def handle_error(self, request, status=500, exc=None, message=None):
        # aiohttp's own: it logs, and fails if part of an answer went out already.
        super().handle_error(request, status, exc, message)
        response = refusal(exc)
        response.force_close()
        return response


# aiohttp's server has no option for its connection handler's class: every connection of
# this process gets this one.
web_server.RequestHandler = ProblemRequestHandler


def response_of(result):
    """The HTTP response of a function's payload 2.0 answer."""
    if not isinstance(result, dict) or "statusCode" not in result:
        return problem(502, "Bad gateway", "the function's answer is not an HTTP response")
    body = result.get("body") or ""
    body = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    response = web.Response(status=int(result["statusCode"]), body=body)
    for name, value in (result.get("headers") or {}).items():
        response.headers[name] = str(value)
    for name, values in (result.get("multiValueHeaders") or {}).items():
        response.headers.popall(name, None)
        for value in values:
            response.headers.add(name, str(value))
    for cookie in result.get("cookies") or []:
        response.headers.add("set-cookie", cookie)
    return response


def app_for(routes, lambda_url, invoke_key, credentials=None):
    async def handle(request):
        route, parameters = find(routes, request.method, request.rel_url.raw_path)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            # The rest of the body is never read: the connection ends with the answer.
            response = problem(413, "Content too large", f"a request body is at most {MAX_BODY} bytes")
            response.force_close()
            return response
        if credentials and not signed_by(request, body, credentials):
            return problem(403, "Not allowed", "internal routes take calls signed by an allowed identity")
        event = event_for(request, body, route, parameters, invoke_key)
        function = route.function if route else UNROUTED
        url = f"{lambda_url}/2015-03-31/functions/{function}/invocations"
        try:
            async with request.app["session"].post(url, json=event) as answer:
                text = await answer.text()
        except asyncio.TimeoutError:
            return problem(504, "Gateway timeout", "the function did not answer in time")
        except OSError:
            return problem(503, "Service unavailable", "the function could not be reached")
        if answer.status != 200:
            return problem(502, "Bad gateway", "the function failed")
        try:
            return response_of(json.loads(text))
        except (ValueError, TypeError):
            return problem(502, "Bad gateway", "the function's answer is not JSON")

    async def session(app):
        app["session"] = ClientSession(timeout=ClientTimeout(total=TIMEOUT_SECONDS))
        yield
        await app["session"].close()

    app = web.Application(client_max_size=MAX_BODY)
    app.cleanup_ctx.append(session)
    # Any path at all, newlines (%0A) included: the router's own 404 never answers.
    app.router.add_route("*", r"/{tail:[\s\S]*}", handle)
    return app


async def serve(args):
    runners = []
    # The stack's own credentials: what its functions sign internal calls with.
    credentials = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"],
                              os.environ.get("AWS_SESSION_TOKEN"))
    # The run's invocation key, which the functions ask of every event (see above).
    invoke_key = os.environ["LOCAL_INVOKE_KEY"]
    for port, internal in ((args.public, False), (args.internal, True)):
        app = app_for(load_routes(args.cargo_toml, internal), args.lambda_url, invoke_key,
                      credentials if internal else None)
        runner = web.AppRunner(app, access_log=None, max_line_size=MAX_REQUEST_LINE, max_field_size=MAX_HEADER)
        await runner.setup()
        await web.TCPSite(runner, args.host, port).start()
        runners.append(runner)
    await asyncio.Event().wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--public", type=int, required=True)
    parser.add_argument("--internal", type=int, required=True)
    parser.add_argument("--lambda-url", required=True, help="the Lambda emulator (cargo lambda watch)")
    parser.add_argument("--cargo-toml", required=True)
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
