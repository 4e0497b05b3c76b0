"""The platform's HTTP API from the local scripts: JSON calls and service tokens."""

import base64
import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.request


def call(method, path, body=None, token=None, headers=None, timeout=60):
    """Calls the API at $API_URL; returns (status, parsed JSON body or None)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(os.environ["API_URL"] + path, data=data, method=method)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def call_internal(method, path, body, caller):
    """Calls an internal route at $INTERNAL_URL as service `caller`: its token in
    x-service-token, the request signed with SigV4 as API Gateway's IAM authorization
    (here the local gateway) demands."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    data = json.dumps(body).encode()
    signed = AWSRequest(method=method, url=os.environ["INTERNAL_URL"] + path, data=data,
                        headers={"content-type": "application/json",
                                 "x-service-token": service_token(caller, 60)})
    credentials = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"],
                              os.environ.get("AWS_SESSION_TOKEN"))
    SigV4Auth(credentials, "execute-api", os.environ["AWS_REGION"]).add_auth(signed)
    request = urllib.request.Request(signed.url, data=data, method=method, headers=dict(signed.headers.items()))
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def service_token(subject, lifetime=3600):
    """A service token as a calling service mints it, with $SERVICE_TOKEN_SECRET."""
    now = int(time.time())
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = _b64(json.dumps({"sub": subject, "role": "service", "iss": "shop-platform", "aud": "shop-internal",
                              "iat": now, "exp": now + lifetime}).encode())
    signature = hmac.new(os.environ["SERVICE_TOKEN_SECRET"].encode(), f"{header}.{claims}".encode(), hashlib.sha256)
    return f"{header}.{claims}.{_b64(signature.digest())}"
