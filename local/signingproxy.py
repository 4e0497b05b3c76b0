"""Signs what it forwards: a caller's SigV4 signature (service `execute-api`) with the
stack's local credentials, for a tool that cannot sign requests itself (the fuzzer, on
the internal routes, which take signed calls only).

    python local/signingproxy.py --listen PORT --to http://127.0.0.1:INTERNAL_PORT
"""

import argparse
import asyncio
import os

from aiohttp import ClientSession, web
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

# Hop-by-hop headers and those the client sets itself are not forwarded (nor signed); nor
# is a caller's X-Amz-Content-SHA256, which botocore would sign in place of the body's own
# hash (the gateway refuses a call whose body the signature does not cover).
SKIPPED = {"host", "content-length", "connection", "transfer-encoding", "accept-encoding", "x-amz-content-sha256"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--to", required=True)
    args = parser.parse_args()
    credentials = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"],
                              os.environ.get("AWS_SESSION_TOKEN"))
    signer = SigV4Auth(credentials, "execute-api", os.environ["AWS_REGION"])

    async def forward(request):
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in SKIPPED}
        signed = AWSRequest(method=request.method, url=args.to + request.rel_url.raw_path_qs, data=body,
                            headers=headers)
        signer.add_auth(signed)
        async with request.app["session"].request(request.method, signed.url, data=body,
                                                  headers=dict(signed.headers.items())) as answer:
            payload = await answer.read()
            kept = {k: v for k, v in answer.headers.items() if k.lower() not in SKIPPED}
            return web.Response(status=answer.status, body=payload, headers=kept)

    async def session(app):
        app["session"] = ClientSession(auto_decompress=False)
        yield
        await app["session"].close()

    app = web.Application(client_max_size=10 * 1024 * 1024)
    app.cleanup_ctx.append(session)
    app.router.add_route("*", r"/{tail:[\s\S]*}", forward)
    web.run_app(app, host="127.0.0.1", port=args.listen, print=None, access_log=None)


if __name__ == "__main__":
    main()
