"""POST /sales by order size: 1, 5 and 20 lines.

Two figures per size, p50 / p99 over the same number of orders:
- handler: the create_sale binary run as Lambda runs it (local Runtime API, one warm
  process), its own DynamoDB round-trips taken out by the timing pass-through; its calls to
  Inventory, Customers and Reviews through the local stack are in it;
- end to end: POST /sales over HTTP through the local gateway of the running stack.

    local/bench/order_bench.py --bin-dir target/release [--orders 50]
"""

import argparse
import json
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))
from api import call  # noqa: E402
from dblink import DynamoLink  # noqa: E402
from lambda_bench import (ROOT, expect, lambda_env, machine, make_data, percentile,  # noqa: E402
                          run_function)

SIZES = (1, 5, 20)


def order_event(token, lines):
    """The sample create_sale event, carrying an order of `lines`."""
    event = json.loads((ROOT / "events" / "create_sale.json").read_text())
    event["headers"]["authorization"] = f"Bearer {token}"
    event["headers"]["idempotency-key"] = str(uuid.uuid4())
    event["body"] = json.dumps({"items": lines})
    return event


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir", default=str(ROOT / "target" / "release"))
    parser.add_argument("--orders", type=int, default=50, help="orders per size and way")
    args = parser.parse_args()

    data = make_data()
    products = [expect(call("POST", "/products", {"name": f"Bench item {n} {data['run']}", "description": "bench",
                                                  "category": "bench", "price_cents": 1, "stock": 100_000},
                            data["admin"]), 201)["id"] for n in range(max(SIZES))]
    token = data["customer_token"]
    proxy = DynamoLink(os.environ["DYNAMODB_ENDPOINT"], record_times=True).start()
    binary = str(Path(args.bin_dir) / "create_sale")
    rows = []
    for size in SIZES:
        lines = [{"product_id": p, "quantity": 1} for p in products[:size]]
        cold = run_function([binary], lambda_env("create_sale", proxy), lambda: order_event(token, lines),
                            args.orders, proxy)
        status, handler = cold.first_status, cold.warm
        end_to_end = []
        for _ in range(args.orders):
            started = time.perf_counter()
            expect(call("POST", "/sales", {"items": lines}, token, {"idempotency-key": str(uuid.uuid4())}), 201)
            end_to_end.append((time.perf_counter() - started) * 1000)
        row = {"lines": size, "first_status": status,
               "handler_ms_p50": percentile(handler, 50), "handler_ms_p99": percentile(handler, 99),
               "end_to_end_ms_p50": percentile(end_to_end, 50), "end_to_end_ms_p99": percentile(end_to_end, 99)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    proxy.close()
    print(f"\nMachine: {machine()}; {time.strftime('%Y-%m-%d')}; {args.orders} orders per size and way.\n")
    print("| lines | handler p50 / p99 (ms, no DB of its own) | end to end p50 / p99 (ms) |")
    print("| --- | --- | --- |")
    for r in rows:
        print(f"| {r['lines']} | {r['handler_ms_p50']:.1f} / {r['handler_ms_p99']:.1f} | "
              f"{r['end_to_end_ms_p50']:.1f} / {r['end_to_end_ms_p99']:.1f} |")


if __name__ == "__main__":
    main()
