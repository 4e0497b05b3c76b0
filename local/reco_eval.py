"""Loads purchase data into a running local stack, and asks it for recommendations.

  import     --interactions CSV [--products CSV] --out DIR
      customers, products and completed sales from an `interactions.csv`-format file
      (customer_id,product_id,timestamp,weight); the purchases reach the recommender
      through its internal API, as Sales reports them. Writes DIR/ids.csv, the mapping
      from the file's ids to the platform's.
  copies     --interactions CSV --scale S
      S disjoint copies of the file's purchases (ids suffixed #0 … #S-1), written straight
      into the recommender's table in the shape the internal route stores: the input of
      local/bench-refresh.sh, which measures the refresh at scale.
  recommend  --ids DIR/ids.csv --users test_users.csv --out recs.csv [--limit 10]
      GET /recommendations for every user (as the admin), in the file's ids.

Customers, products and sales are written to their tables directly (an operator's bulk
load of history; the services' own write paths are one request at a time).
Local development only: it uses the local stack's development secrets.
"""

import argparse
import csv
import datetime
import hashlib
import os
import sys
import time

import boto3

from api import call, call_internal

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid(kind, external, millis=1_600_000_000_000):
    """A deterministic ULID for an external id, so that re-imports reuse it."""
    rand = int.from_bytes(hashlib.sha256(f"{kind}:{external}".encode()).digest()[:10], "big")
    value = (millis << 80) | rand
    return "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def iso(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def dynamodb():
    return boto3.resource("dynamodb", endpoint_url=os.environ["DYNAMODB_ENDPOINT"],
                          region_name=os.environ.get("AWS_REGION", "us-east-1"),
                          aws_access_key_id="local", aws_secret_access_key="local")


def import_purchases(args):
    with open(args.interactions, newline="") as f:
        rows = [r for r in csv.DictReader(f) if float(r["weight"]) > 0]
    names, prices = {}, {}
    if args.products:
        with open(args.products, newline="") as f:
            for r in csv.DictReader(f):
                names[r["product_id"]] = r["description"] or f"Product {r['product_id']}"
                prices[r["product_id"]] = max(1, round(float(r["unit_price_median"] or 0) * 100))
    customers = sorted({r["customer_id"] for r in rows})
    products = sorted({r["product_id"] for r in rows})
    ids = {("customer", c): ulid("customer", c) for c in customers}
    ids.update({("product", p): ulid("product", p) for p in products})
    db = dynamodb()
    now = iso(time.time())
    started = time.time()

    with db.Table(os.environ["CUSTOMERS_TABLE"]).batch_writer(overwrite_by_pkeys=["id"]) as batch:
        for c in customers:
            email = f"customer-{c}@import.local"
            batch.put_item(Item={
                "id": ids[("customer", c)], "kind": "customer", "email": email,
                "full_name": f"Imported customer {c}", "role": "customer", "wallet_balance_cents": 0,
                # Not a hash of anything: imported accounts cannot log in.
                "password_hash": "imported-account-without-password", "status": "active",
                "created_at": now, "updated_at": now})
            batch.put_item(Item={"id": f"email#{email}", "kind": "email", "customer_id": ids[("customer", c)]})
    with db.Table(os.environ["PRODUCTS_TABLE"]).batch_writer(overwrite_by_pkeys=["id"]) as batch:
        for p in products:
            name = names.get(p, f"Product {p}").strip() or f"Product {p}"
            batch.put_item(Item={
                "id": ids[("product", p)], "name": name, "name_lower": name.lower(), "description": "",
                "category": "imported", "price_cents": prices.get(p, 100), "currency": "USD",
                "stock": 1_000_000, "version": 1, "created_at": now, "updated_at": now})
    print(f"import: {len(customers)} customers, {len(products)} products ({time.time() - started:.0f} s)")

    interactions = []
    with db.Table(os.environ["SALES_TABLE"]).batch_writer(overwrite_by_pkeys=["id"]) as batch:
        for n, r in enumerate(rows):
            seconds = int(float(r["timestamp"]))
            sale_id = ulid("sale", f"{n}:{r['customer_id']}:{r['product_id']}:{seconds}", seconds * 1000)
            quantity = max(1, min(100, int(float(r["weight"]))))
            price = prices.get(r["product_id"], 100)
            customer, product = ids[("customer", r["customer_id"])], ids[("product", r["product_id"])]
            batch.put_item(Item={
                "id": sale_id, "customer_id": customer, "product_ids": [product],
                "items": [{"product_id": product, "quantity": quantity, "unit_price_cents": price,
                           "refunded_quantity": 0}],
                "total_cents": price * quantity, "status": "completed", "refunds": [], "refunded_cents": 0,
                "revision": 0, "created_at": iso(seconds), "updated_at": iso(seconds),
                "deadline_at": iso(seconds), "history_customer_id": customer})
            interactions.append({"event_id": f"sale-{sale_id}-{product}", "customer_id": customer,
                                 "product_id": product, "time": seconds, "strength": quantity,
                                 "source": "purchase"})
    print(f"import: {len(rows)} completed sales ({time.time() - started:.0f} s)")

    # The purchases are reported as Sales reports them, on the internal route that admits
    # Sales only (signed, with a fresh short-lived service token each call).
    for start in range(0, len(interactions), 100):
        status, body = call_internal("POST", "/internal/reviews/interactions",
                                     {"interactions": interactions[start:start + 100]}, "sales")
        if status != 200:
            sys.exit(f"import: reporting purchases failed with {status}: {body}")
    print(f"import: {len(interactions)} purchases reported to the recommender ({time.time() - started:.0f} s)")

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "ids.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["kind", "external_id", "id"])
        for (kind, external), internal in sorted(ids.items()):
            writer.writerow([kind, external, internal])


def recommend(args):
    with open(args.ids, newline="") as f:
        rows = list(csv.DictReader(f))
    customer_ids = {r["external_id"]: r["id"] for r in rows if r["kind"] == "customer"}
    product_names = {r["id"]: r["external_id"] for r in rows if r["kind"] == "product"}
    with open(args.users) as f:
        users = [line.strip() for line in f.readlines()[1:] if line.strip()]
    status, body = call("POST", "/login", {"email": os.environ["DEMO_ADMIN_EMAIL"],
                                           "password": os.environ["DEMO_ADMIN_PASSWORD"]})
    if status != 200:
        sys.exit(f"recommend: admin login failed with {status}: {body}")
    token = body["access_token"]
    latencies = []
    with open(args.out, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["customer_id", "product_id", "rank"])
        for n, user in enumerate(users):
            if n and n % 500 == 0:
                token = call("POST", "/login", {"email": os.environ["DEMO_ADMIN_EMAIL"],
                                                "password": os.environ["DEMO_ADMIN_PASSWORD"]})[1]["access_token"]
            if user not in customer_ids:
                continue
            started = time.perf_counter()
            status, body = call("GET", f"/recommendations/{customer_ids[user]}?limit={args.limit}", token=token)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                sys.exit(f"recommend: {user} failed with {status}: {body}")
            for rank, item in enumerate(body["items"], 1):
                writer.writerow([user, product_names.get(item["product_id"], item["product_id"]), rank])
    latencies.sort()
    if latencies:
        pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
        print(f"recommend: {len(latencies)} users; end-to-end latency p50 {pick(0.5):.1f} ms, "
              f"p95 {pick(0.95):.1f} ms, p99 {pick(0.99):.1f} ms")


def write_copies(args):
    """S disjoint copies of the purchases in the recommender's table, written by a few
    threads at once (DynamoDB Local takes batches from several writers in parallel)."""
    from concurrent.futures import ThreadPoolExecutor

    with open(args.interactions, newline="") as f:
        rows = [(r["customer_id"], r["product_id"], int(float(r["timestamp"])), float(r["weight"]))
                for r in csv.DictReader(f) if float(r["weight"]) > 0]
    table_name = os.environ["RECO_TABLE"]
    started = time.time()

    parts = 4

    def write(task):
        copy, part = task
        table = dynamodb().Table(table_name)
        with table.batch_writer() as batch:
            for n in range(part, len(rows), parts):
                customer, product, seconds, weight = rows[n]
                customer_id = f"{customer}#{copy}"
                event_id = f"copy-{copy}-{n}"
                batch.put_item(Item={
                    "pk": f"customer#{customer_id}", "sk": f"event#{event_id}", "event_id": event_id,
                    "customer_id": customer_id, "product_id": f"{product}#{copy}", "time": seconds,
                    "strength": int(min(weight, 100)), "source": "purchase"})
        return len(range(part, len(rows), parts))

    with ThreadPoolExecutor(max_workers=parts) as pool:
        tasks = [(copy, part) for copy in range(args.scale) for part in range(parts)]
        written = sum(pool.map(write, tasks))
    print(f"copies: {written} interactions (x{args.scale}) in {time.time() - started:.0f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    imp = commands.add_parser("import")
    imp.add_argument("--interactions", required=True)
    imp.add_argument("--products")
    imp.add_argument("--out", required=True)
    cop = commands.add_parser("copies")
    cop.add_argument("--interactions", required=True)
    cop.add_argument("--scale", type=int, required=True)
    rec = commands.add_parser("recommend")
    rec.add_argument("--ids", required=True)
    rec.add_argument("--users", required=True)
    rec.add_argument("--out", required=True)
    rec.add_argument("--limit", type=int, default=10)
    args = parser.parse_args()
    {"import": import_purchases, "copies": write_copies, "recommend": recommend}[args.command](args)


if __name__ == "__main__":
    main()
