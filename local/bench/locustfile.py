"""Load scenario: shoppers browse, search, register, log in, deposit, buy (one product or a
cart of several), review and ask for recommendations while an admin moderates and refunds
units of their sales, restocking or not. After the run it checks the invariants over
everything the run did: no product oversold, stock and money conserved across purchases
and refunds, no refund past what was bought, no 5xx. The process exits non-zero when one
fails.

    locust -f local/bench/locustfile.py --headless -u 20 -r 5 -t 60s --host http://127.0.0.1:9000

Runs against a deployed stack too (--host https://...; set LOAD_ADMIN_EMAIL and
LOAD_ADMIN_PASSWORD to an admin account there).
"""

import json
import os
import random
import threading
import uuid

from locust import HttpUser, between, events, task

ADMIN_EMAIL = os.environ.get("LOAD_ADMIN_EMAIL", os.environ.get("DEMO_ADMIN_EMAIL", "admin@shop.local"))
ADMIN_PASSWORD = os.environ.get("LOAD_ADMIN_PASSWORD", os.environ.get("DEMO_ADMIN_PASSWORD", "admin-password-local"))
PASSWORD = "load-test-password"
DEPOSIT_CENTS = 20_000
# Few units each, so that shoppers race for the last ones.
PRODUCTS = [("Load lamp", 1_250, 40), ("Load mug", 800, 25), ("Load kettle", 3_100, 15), ("Load chair", 4_900, 10)]
CATEGORY = "loadtest"

lock = threading.Lock()
run = {"products": {}, "customers": [], "sales": [], "server_errors": 0, "admin_token": None}


def bearer(token):
    return {"authorization": f"Bearer {token}"}


def admin_token(client):
    with lock:
        if run["admin_token"]:
            return run["admin_token"]
    response = client.post("/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, name="/login")
    response.raise_for_status()
    with lock:
        run["admin_token"] = response.json()["access_token"]
        return run["admin_token"]


@events.test_start.add_listener
def create_products(environment, **_):
    """The products this run sells, with known starting stock."""
    from locust.clients import HttpSession

    client = HttpSession(environment.host, environment.events.request, user=None)
    token = admin_token(client)
    tag = uuid.uuid4().hex[:6]
    for name, price, stock in PRODUCTS:
        response = client.post("/products", headers=bearer(token), name="/products [create]",
                               json={"name": f"{name} {tag}", "description": "Load test item", "category": CATEGORY,
                                     "price_cents": price, "stock": stock})
        response.raise_for_status()
        run["products"][response.json()["id"]] = {"stock": stock, "price": price}


@events.request.add_listener
def count_server_errors(response=None, **_):
    if response is not None and getattr(response, "status_code", 0) >= 500:
        with lock:
            run["server_errors"] += 1


class Shopper(HttpUser):
    weight = 10
    wait_time = between(0.2, 1.0)

    def on_start(self):
        self.email = f"load-{uuid.uuid4().hex[:12]}@example.com"
        self.client.post("/register", json={"email": self.email, "password": PASSWORD, "full_name": "Load Shopper"},
                         name="/register").raise_for_status()
        self.log_in()
        self.client.post(f"/profile/{self.id}/wallet/deposit", json={"amount_cents": DEPOSIT_CENTS},
                         headers={**bearer(self.token), "idempotency-key": str(uuid.uuid4())},
                         name="/profile/{id}/wallet/deposit").raise_for_status()
        self.bought = set()
        with lock:
            run["customers"].append({"id": self.id, "email": self.email, "deposited": DEPOSIT_CENTS})

    def log_in(self):
        response = self.client.post("/login", json={"email": self.email, "password": PASSWORD}, name="/login")
        response.raise_for_status()
        self.token, self.id = response.json()["access_token"], response.json()["customer_id"]

    @task(6)
    def browse(self):
        response = self.client.get("/products", params={"category": CATEGORY, "limit": 2}, name="/products")
        cursor = response.json().get("next_cursor") if response.ok else None
        if cursor:
            self.client.get("/products", params={"category": CATEGORY, "limit": 2, "cursor": cursor},
                            name="/products [next page]")

    @task(4)
    def search(self):
        self.client.get("/products", params={"q": random.choice(["lamp", "mug", "kettle", "chai"])},
                        name="/products?q")

    @task(4)
    def view_product(self):
        product = random.choice(list(run["products"]))
        self.client.get(f"/products/{product}", name="/products/{id}")
        self.client.get("/reviews", params={"product_id": product}, name="/reviews?product_id")

    @task(3)
    def buy(self):
        product = random.choice(list(run["products"]))
        self.order({"product_id": product, "quantity": random.randint(1, 3)}, "/sales")

    @task(2)
    def buy_cart(self):
        products = random.sample(list(run["products"]), random.randint(2, 3))
        lines = [{"product_id": p, "quantity": random.randint(1, 2)} for p in products]
        self.order({"items": lines}, "/sales [cart]")

    def order(self, body, name):
        with self.client.post("/sales", json=body, headers={**bearer(self.token), "idempotency-key": str(uuid.uuid4())},
                              name=name, catch_response=True) as response:
            if response.status_code == 201:
                sale = response.json()
                self.bought.update(line["product_id"] for line in sale["items"])
                with lock:
                    run["sales"].append(sale["id"])
                response.success()
            elif response.status_code in (402, 409):  # broke or sold out: expected under load
                response.success()

    @task(1)
    def review(self):
        if not self.bought:
            return
        product = self.bought.pop()
        with self.client.post("/reviews", json={"product_id": product, "rating": random.randint(1, 5),
                                                "comment": "Bought under load; works as described."},
                              headers=bearer(self.token), name="/reviews", catch_response=True) as response:
            if response.status_code in (201, 409):
                response.success()

    @task(2)
    def recommendations(self):
        self.client.get(f"/recommendations/{self.id}", headers=bearer(self.token), name="/recommendations/{id}")

    @task(2)
    def history(self):
        self.client.get(f"/sales/history/{self.id}", headers=bearer(self.token), name="/sales/history/{id}")

    @task(1)
    def profile(self):
        self.client.get(f"/profile/{self.id}", headers=bearer(self.token), name="/profile/{id}")

    @task(1)
    def log_in_again(self):
        self.log_in()


class Admin(HttpUser):
    weight = 1
    fixed_count = 1
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.token = admin_token(self.client)

    @task(3)
    def moderate(self):
        response = self.client.get("/reviews", params={"status": "pending", "limit": 10}, headers=bearer(self.token),
                                   name="/reviews?status=pending")
        for review in (response.json().get("items", []) if response.ok else [])[:3]:
            # The version read in the queue: an edit since makes the decision a 409.
            headers = {**bearer(self.token), "if-match": f'"{review["version"]}"'}
            with self.client.post(f"/reviews/{review['id']}/moderate", headers=headers,
                                  json={"action": random.choice(["approve", "approve", "reject"])},
                                  name="/reviews/{id}/moderate", catch_response=True) as moderated:
                if moderated.status_code in (200, 404, 409):  # a shopper may have edited or deleted it
                    moderated.success()

    @task(2)
    def refund(self):
        """One unit of a line of a recent sale, restocked or not; several admins' refunds of
        one sale may race, and a sale refunded whole answers 409."""
        with lock:
            if not run["sales"]:
                return
            sale_id = random.choice(run["sales"][-20:])
        response = self.client.get(f"/sales/{sale_id}", headers=bearer(self.token), name="/sales/{id}")
        if not response.ok:
            return
        line = random.choice(response.json()["items"])
        body = {"items": [{"product_id": line["product_id"], "quantity": 1}], "reason": "returned under load",
                "restock": random.random() < 0.5}
        with self.client.post(f"/sales/{sale_id}/refunds", json=body, name="/sales/{id}/refunds",
                              headers={**bearer(self.token), "idempotency-key": str(uuid.uuid4())},
                              catch_response=True) as refunded:
            if refunded.status_code in (201, 409):
                refunded.success()

    @task(1)
    def health(self):
        self.client.get("/health/database", name="/health/database")


def pages(client, path, token):
    cursor = None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        response = client.get(path, params=params, headers=bearer(token), name="[check] " + path.split("/")[1])
        response.raise_for_status()
        body = response.json()
        yield from body["items"]
        cursor = body.get("next_cursor")
        if not cursor:
            return


@events.quitting.add_listener
def check_invariants(environment, **_):
    """Every unit sold came out of stock, and every cent spent came out of a deposit."""
    from locust.clients import HttpSession

    if not run["products"]:
        return
    client = HttpSession(environment.host, environment.events.request, user=None)
    token = admin_token(client)
    failures = []
    sold = {product: 0 for product in run["products"]}
    restocked = {product: 0 for product in run["products"]}
    refunds = 0
    for customer in run["customers"]:
        spent = 0
        for sale in pages(client, f"/sales/history/{customer['id']}", token):
            if sale["status"] not in ("completed", "partially_refunded", "refunded"):
                failures.append(f"sale {sale['id']} is {sale['status']} after the run")
                continue
            spent += sale["total_cents"] - sale["refunded_cents"]
            for line in sale["items"]:
                if line["refunded_quantity"] > line["quantity"]:
                    failures.append(f"sale {sale['id']}: refunded past what was bought")
                if line["product_id"] in sold:
                    sold[line["product_id"]] += line["quantity"]
            if sum(r["amount_cents"] for r in sale["refunds"]) != sale["refunded_cents"]:
                failures.append(f"sale {sale['id']}: refunds do not add up to refunded_cents")
            for refund in sale["refunds"]:
                refunds += 1
                if refund["status"] != "completed":
                    failures.append(f"refund {refund['id']} is {refund['status']} after the run")
                for line in refund["items"] if refund["restocked"] else []:
                    if line["product_id"] in restocked:
                        restocked[line["product_id"]] += line["quantity"]
        balance = client.get(f"/profile/{customer['id']}", headers=bearer(token),
                             name="[check] profile").json()["wallet_balance_cents"]
        if balance != customer["deposited"] - spent or balance < 0:
            failures.append(f"customer {customer['id']}: balance {balance}, deposited {customer['deposited']}, "
                            f"spent {spent} (after refunds)")
    for product, start in run["products"].items():
        stock = client.get(f"/products/{product}", name="[check] product").json()["stock"]
        if stock < 0 or stock + sold[product] - restocked[product] != start["stock"]:
            failures.append(f"product {product}: started {start['stock']}, sold {sold[product]}, "
                            f"restocked {restocked[product]}, left {stock}")
    if run["server_errors"]:
        failures.append(f"{run['server_errors']} responses were 5xx")
    report = {
        "customers": len(run["customers"]),
        "units_sold": sum(sold.values()),
        "refunds": refunds,
        "units_restocked": sum(restocked.values()),
        "units_started": sum(p["stock"] for p in run["products"].values()),
        "server_errors": run["server_errors"],
        "invariant_failures": failures,
    }
    print("load invariants: " + json.dumps(report))
    if failures:
        environment.process_exit_code = 1
