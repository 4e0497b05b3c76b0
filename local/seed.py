"""Demo data for the local stack, written through the public API (and the operator
command for the admin). Running it again adds nothing twice."""

import os
import subprocess
import sys
import time

from api import call

ADMIN_EMAIL = os.environ["DEMO_ADMIN_EMAIL"]
ADMIN_PASSWORD = os.environ["DEMO_ADMIN_PASSWORD"]
DEMO_PASSWORD = "demo-password"

CUSTOMERS = [
    ("alice@shop.local", "Alice Martin", 50_000),
    ("bob@shop.local", "Bob Okafor", 20_000),
    ("carol@shop.local", "Carol Nguyen", 5_000),
]

PRODUCTS = [
    ("Mechanical keyboard", "Tenkeyless, hot-swappable switches.", "electronics", 8_999, 25),
    ("USB-C hub", "Seven ports, 100 W passthrough.", "electronics", 3_499, 40),
    ("Noise-cancelling headphones", "Over-ear, 30 h battery.", "electronics", 19_900, 10),
    ("The Rust Programming Language", "The book, 2nd edition.", "books", 3_995, 30),
    ("Designing Data-Intensive Applications", "Reliable, scalable systems.", "books", 4_499, 15),
    ("Pour-over coffee set", "Dripper, carafe and filters.", "kitchen", 2_950, 20),
    ("Chef's knife", "20 cm, stainless steel.", "kitchen", 6_500, 12),
    ("Trail running shoes", "Lightweight, size 42.", "outdoor", 11_000, 8),
    ("Headlamp", "400 lumens, rechargeable.", "outdoor", 2_499, 0),
]


def call_retrying(method, path, body, token, headers=None):
    """A call retried on 503 and 504, as the API asks: on a fresh stack, and more so on a busy
    machine, the first call of a function may wait for it, or for a service it calls, to start."""
    for attempt in range(8):
        status, reply = call(method, path, body, token, headers)
        if status not in (503, 504):
            break
        time.sleep(2 * (attempt + 1))
    return status, reply


def report(what, status, body):
    """A demo purchase that could not be made: said, and the rest of the demo data goes on."""
    print(f"seed: WARNING: {what} failed with {status}: {body}", file=sys.stderr)


def login(email, password):
    status, body = call("POST", "/login", {"email": email, "password": password})
    if status != 200:
        sys.exit(f"seed: login {email} failed with {status}: {body}")
    return body["access_token"], body["customer_id"]


def main():
    env = dict(os.environ, ADMIN_EMAIL=ADMIN_EMAIL, ADMIN_PASSWORD=ADMIN_PASSWORD, ADMIN_FULL_NAME="Demo Admin")
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    subprocess.run([os.path.join(target, "debug", "create_admin")], env=env, check=True)
    admin_token, _ = login(ADMIN_EMAIL, ADMIN_PASSWORD)

    for email, name, balance in CUSTOMERS:
        status, body = call("POST", "/register", {"email": email, "password": DEMO_PASSWORD, "full_name": name})
        if status not in (201, 409):
            sys.exit(f"seed: register {email} failed with {status}: {body}")
        token, customer_id = login(email, DEMO_PASSWORD)
        # One idempotency key per customer: a second run credits nothing.
        status, body = call("POST", f"/profile/{customer_id}/wallet/deposit", {"amount_cents": balance},
                            token, {"idempotency-key": f"demo-seed-{customer_id}"})
        if status != 200:
            sys.exit(f"seed: deposit for {email} failed with {status}: {body}")
    print(f"seed: {len(CUSTOMERS)} demo customers with wallet money")

    # Every live product by name, over every page (a used stack may hold many).
    products = {}
    cursor = None
    while True:
        status, page = call("GET", "/products?limit=100" + (f"&cursor={cursor}" if cursor else ""))
        if status != 200:
            sys.exit(f"seed: listing products failed with {status}: {page}")
        products.update((p["name"], p["id"]) for p in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    created = 0
    for name, description, category, price, stock in PRODUCTS:
        if name in products:
            continue
        status, body = call("POST", "/products", {"name": name, "description": description, "category": category,
                                                  "price_cents": price, "stock": stock}, admin_token)
        if status != 201:
            sys.exit(f"seed: creating {name} failed with {status}: {body}")
        products[name] = body["id"]
        created += 1
    print(f"seed: {created} products created, {len(PRODUCTS) - created} already there")

    # Purchases (one idempotency key each, so a second run buys nothing) and reviews.
    purchases = [
        ("alice@shop.local", "Mechanical keyboard", 1, 5, "Crisp switches, solid case. Typing on it is a joy."),
        ("alice@shop.local", "The Rust Programming Language", 1, 4, "Clear and thorough; the ownership chapters are gold."),
        ("bob@shop.local", "Pour-over coffee set", 1, 4, "Makes a great cup; the filters run out fast."),
        ("carol@shop.local", "Headlamp", 0, 2, "Looks nice, but it was out of stock when I wanted it."),
    ]
    reviews = []
    failed = 0
    for email, name, quantity, rating, comment in purchases:
        token, customer_id = login(email, DEMO_PASSWORD)
        if quantity:
            # With its key, a retried purchase happens once.
            status, body = call_retrying("POST", "/sales", {"product_id": products[name], "quantity": quantity},
                                         token, {"idempotency-key": f"demo-sale-{customer_id}-{products[name]}"})
            if status != 201:
                report(f"the purchase of {name} by {email}", status, body)
                failed += 1
                continue
        # One review per customer and product: a retry that finds the first one gets 409.
        status, body = call_retrying("POST", "/reviews",
                                     {"product_id": products[name], "rating": rating, "comment": comment}, token)
        if status == 201:
            reviews.append(body)
        elif status != 409:
            sys.exit(f"seed: review of {name} by {email} failed with {status}: {body}")
    # The first review is approved; the others wait in the moderation queue.
    if reviews:
        first = reviews[0]
        call("POST", f"/reviews/{first['id']}/moderate", {"action": "approve", "reason": "demo data"}, admin_token,
             {"if-match": f'"{first["version"]}"'})
    print(f"seed: demo purchases in place; {len(reviews)} new reviews (all but the first pending moderation)")

    # Orders of several products; the admin refunds one line of the first, back to stock.
    carts = [
        ("bob@shop.local", [("Mechanical keyboard", 1), ("USB-C hub", 2)]),
        ("alice@shop.local", [("Pour-over coffee set", 1), ("The Rust Programming Language", 1)]),
    ]
    for n, (email, lines) in enumerate(carts):
        token, customer_id = login(email, DEMO_PASSWORD)
        items = [{"product_id": products[name], "quantity": quantity} for name, quantity in lines]
        status, sale = call_retrying("POST", "/sales", {"items": items}, token,
                                     {"idempotency-key": f"demo-cart-{n}-{customer_id}"})
        if status != 201:
            report(f"the order of {email}", status, sale)
            failed += 1
            continue
        if n == 0:
            refund = {"items": [{"product_id": products["USB-C hub"], "quantity": 1}],
                      "reason": "One hub arrived broken", "restock": True}
            status, body = call_retrying("POST", f"/sales/{sale['id']}/refunds", refund, admin_token,
                                         {"idempotency-key": f"demo-refund-{sale['id']}"})
            if status not in (201, 202):
                report("the refund of a demo order", status, body)
                failed += 1
    print(f"seed: {len(carts)} orders of several products, one partly refunded")
    if failed:
        print(f"seed: WARNING: {failed} demo purchases or refunds could not be made (above); "
              "the platform is up, and local/seed.py adds what is missing when run again", file=sys.stderr)


if __name__ == "__main__":
    main()
