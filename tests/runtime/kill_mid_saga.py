"""A function process killed in the middle of a purchase loses nothing.

The real create_sale binary runs under a local Lambda Runtime API (as in a Lambda
sandbox), against the running test stack. The charge is made to hang, and the process is
killed with SIGKILL once the stock is reserved: the state Lambda leaves when an instance
dies mid-invocation (timeout, out of memory, crash). The sale stays pending with its
stock held; the reconciler then rolls it back, so stock and money end where they began,
and a new instance serves the next purchase.

    python tests/runtime/kill_mid_saga.py     (with the stack's environment, see local/test.sh)
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "local" / "bench"))
sys.path.insert(0, str(ROOT / "local"))
from api import call  # noqa: E402
from runtime_api import RuntimeApi  # noqa: E402

STATE = Path(os.environ["STATE_DIR"])
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "debug"


def check(condition, message):
    if not condition:
        sys.exit(f"FAIL: {message}")


def link(name, mode):
    (STATE / "links" / name).write_text(mode)


def sale_event(token, product_id, key):
    event = json.loads((ROOT / "events" / "create_sale.json").read_text())
    event["headers"]["authorization"] = f"Bearer {token}"
    event["headers"]["idempotency-key"] = key
    event["body"] = json.dumps({"product_id": product_id, "quantity": 2})
    return event


def start_instance():
    runtime = RuntimeApi()
    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=runtime.address, AWS_LAMBDA_FUNCTION_NAME="create_sale",
               AWS_LAMBDA_FUNCTION_VERSION="$LATEST", AWS_LAMBDA_FUNCTION_MEMORY_SIZE="128",
               AWS_LAMBDA_LOG_GROUP_NAME="/aws/lambda/create_sale", AWS_LAMBDA_LOG_STREAM_NAME="test",
               DYNAMODB_ENDPOINT=f"http://127.0.0.1:{os.environ['DYNAMODB_LINK_PORT']}")
    process = subprocess.Popen([str(TARGET / "create_sale")], env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    runtime.wait_ready(timeout=30)
    return runtime, process


def stock(product_id):
    return call("GET", f"/products/{product_id}")[1]["stock"]


def wallet(customer_id, token):
    return call("GET", f"/profile/{customer_id}", token=token)[1]["wallet_balance_cents"]


def main():
    admin = call("POST", "/login", {"email": os.environ["DEMO_ADMIN_EMAIL"],
                                    "password": os.environ["DEMO_ADMIN_PASSWORD"]})[1]["access_token"]
    status, product = call("POST", "/products", {"name": "Killed mid-saga", "category": "faults", "price_cents": 200,
                                                 "stock": 5}, admin)
    check(status == 201, f"create product: {status} {product}")
    email = f"kill-{uuid.uuid4().hex[:10]}@test.local"
    status, customer = call("POST", "/register", {"email": email, "password": "kill-test-horse-battery", "full_name": "K"})
    check(status == 201, f"register: {status}")
    token = call("POST", "/login", {"email": email, "password": "kill-test-horse-battery"})[1]["access_token"]
    status, _ = call("POST", f"/profile/{customer['id']}/wallet/deposit", {"amount_cents": 1000}, token,
                     {"idempotency-key": str(uuid.uuid4())})
    check(status == 200, f"deposit: {status}")

    runtime, process = start_instance()
    # The buyer's session check (a read) passes; the charge (a write) gets stuck.
    link("customers", "hang-writes")
    try:
        key = str(uuid.uuid4())
        runtime.events.put((str(uuid.uuid4()), json.dumps(sale_event(token, product["id"], key)).encode()))
        deadline = time.time() + 30
        while stock(product["id"]) != 3:
            check(time.time() < deadline, "the reservation never happened")
            time.sleep(0.1)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        link("customers", "up")
        if process.poll() is None:
            process.kill()
        runtime.close()

    check(stock(product["id"]) == 3, "the killed instance's reservation should still hold the stock")
    check(wallet(customer["id"], token) == 1000, "the charge never reached Customers")
    time.sleep(int(os.environ.get("SALE_DEADLINE_SECONDS", "60")) + 1)
    report = json.loads(subprocess.run([str(TARGET / "reconcile_sales")], capture_output=True, check=True).stdout)
    check(report["still_pending"] == 0, f"reconciler: {report}")
    check(report["rolled_back"] >= 1, f"reconciler: {report}")
    check(stock(product["id"]) == 5, "stock not released")
    check(wallet(customer["id"], token) == 1000, "money moved")
    status, history = call("GET", f"/sales/history/{customer['id']}", token=token)
    check(status == 200 and history["items"] == [], f"history: {history}")

    # A fresh instance (what Lambda starts next) serves the next purchase.
    runtime, process = start_instance()
    try:
        kind, payload, _, _ = runtime.invoke(sale_event(token, product["id"], str(uuid.uuid4())), timeout=60)
        check(kind == "response" and json.loads(payload)["statusCode"] == 201, f"next purchase: {payload[:300]}")
    finally:
        process.kill()
        runtime.close()
    check(stock(product["id"]) == 3 and wallet(customer["id"], token) == 600, "the next purchase did not apply once")
    print("1 passed, 0 failed: a function process killed mid-saga loses nothing")


if __name__ == "__main__":
    main()
