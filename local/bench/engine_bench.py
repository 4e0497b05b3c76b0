"""The local DynamoDB engine's start time, memory and latency on a large table.

Starts each engine on a free port (DynamoDB Local in memory, as the test stack runs it,
and any other engine given with --engine LABEL=COMMAND, where {port} stands for the
port), loads the same table into each, then times GetItem, Query and TransactWriteItems
in interleaved rounds, so every engine sees the same machine load:

    .local/venv/bin/python local/bench/engine_bench.py [--items 20000] [--ops 200] [--engine LABEL=COMMAND]

Ready is the time from the engine's start until it answers ListTables; peak RSS is its
process's high-water mark (VmHWM) after the run.
"""

import argparse
import os
import random
import shlex
import socket
import statistics
import subprocess
import time

import boto3
from botocore.config import Config

TABLE = "BenchTable"
PARTITIONS = 400  # items per partition: items / PARTITIONS (50 for 20,000)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dynamodb_local_command():
    """DynamoDB Local in memory, started as the local stack starts it."""
    launcher = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "dynamodb-local.sh")
    return ["bash", launcher, "{port}", "-inMemory"]


class Engine:
    def __init__(self, label, command):
        self.label = label
        self.port = free_port()
        argv = [arg.replace("{port}", str(self.port)) for arg in command]
        started = time.perf_counter()
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.client = boto3.client(
            "dynamodb", endpoint_url=f"http://127.0.0.1:{self.port}", region_name="us-east-1",
            aws_access_key_id="local", aws_secret_access_key="local",
            config=Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=120))
        deadline = started + 120
        while True:
            try:
                self.client.list_tables()
                break
            except Exception:  # noqa: BLE001 - not listening yet
                if time.perf_counter() > deadline or self.process.poll() is not None:
                    raise SystemExit(f"{label}: did not start")
                time.sleep(0.01)
        self.ready_ms = (time.perf_counter() - started) * 1000
        self.times = {"GetItem": [], "Query": [], "TransactWriteItems": []}

    def load(self, items):
        self.client.create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}])
        started = time.perf_counter()
        batch = []
        for i in range(items):
            batch.append({"PutRequest": {"Item": item(i)}})
            if len(batch) == 25 or i == items - 1:
                pending = {TABLE: batch}
                while pending:
                    pending = self.client.batch_write_item(RequestItems=pending)["UnprocessedItems"]
                batch = []
        self.load_s = time.perf_counter() - started

    def timed(self, op, call):
        started = time.perf_counter()
        call()
        self.times[op].append((time.perf_counter() - started) * 1000)

    def round(self, rng, items, serial):
        i = rng.randrange(items)
        self.timed("GetItem", lambda: self.client.get_item(TableName=TABLE, Key=key(i)))
        self.timed("Query", lambda: self.client.query(
            TableName=TABLE, KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": partition(i)}}))
        # The shape of a stock reservation: a conditional decrement and a new record.
        self.timed("TransactWriteItems", lambda: self.client.transact_write_items(TransactItems=[
            {"Update": {"TableName": TABLE, "Key": key(i),
                        "UpdateExpression": "SET stock = stock - :one",
                        "ConditionExpression": "stock >= :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "reservation"}, "sk": {"S": f"r#{serial}"}},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
        ]))

    def peak_rss_mib(self):
        with open(f"/proc/{self.process.pid}/status", encoding="ascii") as f:
            kib = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
        return kib / 1024

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def partition(i):
    return f"customer#{i % PARTITIONS:04}"


def key(i):
    return {"pk": {"S": partition(i)}, "sk": {"S": f"sale#{i:08}"}}


def item(i):
    return {**key(i), "stock": {"N": "1000000"}, "name": {"S": f"product {i}"},
            "description": {"S": "x" * 150}, "price_cents": {"N": str(100 + i % 9000)}}


def pct(values, q):
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--ops", type=int, default=200, help="rounds of the three operations per engine")
    parser.add_argument("--engine", action="append", default=[], metavar="LABEL=COMMAND",
                        help="another engine to measure beside DynamoDB Local")
    args = parser.parse_args()

    commands = [("DynamoDB Local", dynamodb_local_command())]
    for spec in args.engine:
        label, _, command = spec.partition("=")
        commands.append((label, shlex.split(command)))
    engines = []
    try:
        for label, command in commands:
            engine = Engine(label, command)
            engines.append(engine)
            engine.load(args.items)
            print(f"{label}: ready in {engine.ready_ms:.0f} ms, {args.items} items loaded in {engine.load_s:.1f} s",
                  flush=True)
        rng = random.Random(1)
        for serial in range(args.ops):
            for engine in engines:
                engine.round(rng, args.items, serial)
        print(f"\n{args.items:,} items, {args.items // PARTITIONS} per partition; {args.ops} rounds; ms p50 / p99\n")
        print("| engine | ready (ms) | peak RSS (MiB) | GetItem | Query (a partition) | TransactWriteItems |")
        print("| --- | --- | --- | --- | --- | --- |")
        for e in engines:
            cells = [f"{pct(e.times[op], 50):.1f} / {pct(e.times[op], 99):.1f}" for op in e.times]
            print(f"| {e.label} | {e.ready_ms:.0f} | {e.peak_rss_mib():.0f} | " + " | ".join(cells) + " |")
    finally:
        for engine in engines:
            engine.stop()


if __name__ == "__main__":
    main()
