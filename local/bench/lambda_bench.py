"""Cold start, first-request latency, warm handler time and peak memory of every function
binary, each run as Lambda runs it: a fresh process per cold start, talking to a local
Runtime API. The baseline in the same run is a Python 3.11 + boto3 handler for
GET /products/{id} under awslambdaric.

The functions reach the local stack's DynamoDB engine through a timing pass-through, so
the warm figures are the handler's own time with the database round-trips taken out. With
a peer, its cold start runs right before each of ours, and its process takes every other
warm request beside ours: each ratio compares the same moments of the machine.
Data (a customer, products, a sale, a review) is made through the running local API,
which also answers the calls functions make to other services.

    local/bench/lambda_bench.py --bin-dir target/release --out .local/bench/functions.json
    local/bench/lambda_bench.py --markdown .local/bench/functions.json   (its tables again)
"""

import argparse
import contextlib
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))
from api import call, service_token  # noqa: E402
from dblink import DynamoLink  # noqa: E402
from runtime_api import RuntimeApi  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_IDS = {
    "customer": "01JD8ZQ5V8Y3N2K4M6P7R9S0TB",
    "product": "01JD8ZR1A2B3C4D5E6F7G8H9JK",
    "sale": "01JD8ZS7X8Y9Z0A1B2C3D4E5FG",
    "review": "01JD8ZT3M4N5P6Q7R8S9T0V1WX",
}
# Run last, in this order, and only once warm: they consume what they act on. The victim's
# profile goes last, since a fresh login (see log_in) still signs the victim in.
DESTRUCTIVE = ("delete_product", "delete_review", "delete_profile")
# Their handlers call other services over HTTP; their handler time includes those calls.
CALLS_SERVICES = {"create_sale", "create_review", "moderate_review", "update_review", "delete_review",
                  "create_product", "update_product", "delete_product", "get_recommendations", "health_status",
                  "health_database", "reconcile_sales"}


def expect(status_and_body, *ok):
    status, body = status_and_body
    if status not in ok:
        sys.exit(f"bench set-up: expected {ok}, got {status}: {body}")
    return body


def make_data():
    """Bench data through the public API: returns ids and tokens for the events."""
    run = uuid.uuid4().hex[:8]
    data = {"run": run}
    for who in ("customer", "victim"):
        email = f"bench-{who}-{run}@example.com"
        customer = expect(call("POST", "/register", {"email": email, "password": "correct-horse-battery",
                                                    "full_name": f"Bench {who}"}), 201)
        data[f"{who}_id"], data[f"{who}_email"] = customer["id"], email
    log_in(data)
    expect(call("POST", f"/profile/{data['customer_id']}/wallet/deposit", {"amount_cents": 50_000_000},
                data["customer_token"], {"idempotency-key": str(uuid.uuid4())}), 200)
    for key in ("product", "spare_product"):
        product = expect(call("POST", "/products", {"name": f"Bench lamp {run}", "description": "For benchmarks",
                                                   "category": "bench", "price_cents": 100, "stock": 100_000},
                              data["admin"]), 201)
        data[key] = product["id"]
    sale = expect(call("POST", "/sales", {"product_id": data["product"], "quantity": 1}, data["customer_token"],
                       {"idempotency-key": str(uuid.uuid4())}), 201)
    data["sale"] = sale["id"]
    review = expect(call("POST", "/reviews", {"product_id": data["product"], "rating": 5, "comment": "Bright."},
                         data["customer_token"]), 201)
    data["review"] = review["id"]
    return data


def log_in(data):
    """Fresh access tokens (they expire in minutes; a whole run takes longer) and service
    tokens for the events."""
    data["admin"] = expect(call("POST", "/login", {"email": os.environ["DEMO_ADMIN_EMAIL"],
                                                  "password": os.environ["DEMO_ADMIN_PASSWORD"]}), 200)["access_token"]
    data["services"] = {caller: service_token(caller) for caller in ("sales", "reviews")}
    for who in ("customer", "victim"):
        login = expect(call("POST", "/login", {"email": data[f"{who}_email"], "password": "correct-horse-battery"}), 200)
        data[f"{who}_token"], data[f"{who}_refresh"] = login["access_token"], login["refresh_token"]
    data["logged_in_at"] = time.monotonic()


def new_ulid():
    """A fresh id in the platform's format (26 Crockford base-32 digits)."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(alphabet[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def event_for(function, data):
    """The sample event of `function` (events/), pointed at the bench data. Each call
    gives fresh idempotency keys and e-mail addresses."""
    text = (ROOT / "events" / f"{function}.json").read_text()
    customer = "victim" if function == "delete_profile" else "customer"
    product = "spare_product" if function == "delete_product" else "product"
    replacements = {
        SAMPLE_IDS["customer"]: data[f"{customer}_id"],
        SAMPLE_IDS["product"]: data[product],
        SAMPLE_IDS["sale"]: data["sale"],
        SAMPLE_IDS["review"]: data["review"],
        "REPLACE-WITH-A-CUSTOMER-TOKEN": data[f"{customer}_token"],
        "REPLACE-WITH-A-ADMIN-TOKEN": data["admin"],
    }
    # An internal route admits only its declared callers: its event names the caller.
    for caller, token in data["services"].items():
        replacements[f"REPLACE-WITH-A-{caller.upper()}-SERVICE-TOKEN"] = token
    # The first refresh spends the login's token; the next ones present it again (401).
    replacements["01JD8ZS0AB12CD34EF56GH78JK.REPLACE-WITH-A-REFRESH-TOKEN-FROM-POST-LOGIN-xx"] = data["customer_refresh"]
    if function == "login":
        replacements["new.customer@example.com"] = data["customer_email"]
    if function == "register":
        replacements["new.customer@example.com"] = f"bench-{uuid.uuid4().hex[:12]}@example.com"
    for old, new in replacements.items():
        text = text.replace(old, new)
    event = json.loads(text)
    headers = event.get("headers") or {}
    if "idempotency-key" in headers:
        headers["idempotency-key"] = str(uuid.uuid4())
    headers.pop("if-match", None)
    if function == "moderate_review":
        # The bench's review as created; once moderated, later runs are stale (409).
        headers["if-match"] = '"1"'
    if function == "create_sale":
        event["body"] = json.dumps({"product_id": data["product"], "quantity": 1})
    if function == "charge_wallet":
        event["body"] = json.dumps({"sale_id": new_ulid(), "amount_cents": 1})
    return event


PEER_NAME = "peer: serverless-rust-demo get-product"


class Peer:
    """aws-samples/serverless-rust-demo's get-product (lambda_http 0.5, aws-sdk-dynamodb 0.7),
    the fastest-starting Rust Lambda of its kind we know, built by local/bench/peer.sh with a
    DYNAMODB_ENDPOINT override. It gets its own table (key `id`, a product of its shape) and
    the same event as our get_product."""

    def __init__(self, binary, run, proxy):
        import boto3
        self.binary, self.proxy = binary, proxy
        self.table = f"bench-peer-products-{run}"
        db = boto3.client("dynamodb", endpoint_url=os.environ["DYNAMODB_ENDPOINT"],
                          region_name=os.environ.get("AWS_REGION", "us-east-1"))
        db.create_table(TableName=self.table, BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        self.product = new_ulid()
        db.put_item(TableName=self.table, Item={"id": {"S": self.product}, "name": {"S": "Bench lamp"},
                                                "price": {"N": "1.00"}})
        self.env = dict(lambda_env("peer_get_product", proxy), TABLE_NAME=self.table)

    def event(self):
        event = json.loads((ROOT / "events" / "get_product.json").read_text())
        event["rawPath"] = f"/products/{self.product}"
        event["pathParameters"] = {"id": self.product}
        return event

    def cold_start(self):
        return run_function([str(self.binary)], self.env, self.event, 0, self.proxy)


def status_of(kind, payload):
    if kind != "response":
        return "error"
    try:
        return json.loads(payload).get("statusCode", "ok")
    except (ValueError, AttributeError):
        return "ok"


def peak_rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def lambda_env(function, proxy):
    """The environment Lambda gives a function, with the database behind the proxy."""
    env = dict(os.environ)
    env.update({
        "AWS_DEFAULT_REGION": os.environ.get("AWS_REGION", "us-east-1"),
        "AWS_LAMBDA_FUNCTION_NAME": function,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
        "DYNAMODB_ENDPOINT": proxy.url,
        "RUST_LOG": "warn",
    })
    return env


class ColdStart(NamedTuple):
    """One cold start's figures (milliseconds unless named otherwise)."""
    ready: float
    first_request: float
    # The first request with the database round-trips taken out.
    first_request_own: float
    first_status: object
    # The handler's time of each warm request, the database time taken out.
    warm: list
    peak_rss_kib: int


class Process:
    """One function process under a Runtime API of its own, as Lambda runs a sandbox: from
    spawn (under `wrapper`, a profiler, if given) until it first asks for an event (`ready`,
    seconds), then one event at a time until the block ends and it is stopped."""

    def __init__(self, command, env, cwd=None, wrapper=(), ready_timeout=30):
        self.name = command[0]
        self.runtime = RuntimeApi()
        env = dict(env, AWS_LAMBDA_RUNTIME_API=self.runtime.address)
        # Logs to a file, drained as Lambda drains them: a pipe nobody reads would fill with
        # the request and metric lines and stop the function at its next write.
        self.log = tempfile.TemporaryFile()
        started = time.perf_counter()
        self.process = subprocess.Popen([*wrapper, *command], env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=self.log)
        try:
            self.ready = self.runtime.wait_ready(timeout=ready_timeout) - started
        except BaseException as err:
            self.__exit__(type(err), err, None)

    def invoke(self, event, proxy=None):
        """(kind, payload, seconds to answer, those seconds without the database's)."""
        kind, payload, delivered, answered = self.runtime.invoke(event, timeout=120)
        took = answered - delivered
        return kind, payload, took, took - (proxy.time_within(delivered, answered) if proxy else 0)

    def peak_rss_kib(self):
        return peak_rss_kib(self.process.pid)

    def cpu_ns(self):
        """CPU time so far (user and system, every thread), from the scheduler's own count."""
        tasks = Path(f"/proc/{self.process.pid}/task")
        return sum(int((task / "schedstat").read_text().split()[0]) for task in tasks.iterdir())

    def stop(self, sig=signal.SIGKILL, timeout=60):
        """Ends the process with `sig` (SIGTERM lets a profiler write its counts)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, kind, err, _):
        self.stop()
        self.runtime.close()
        self.log.seek(0)
        stderr = self.log.read().decode(errors="replace")[-2000:]
        self.log.close()
        if err is not None:
            raise RuntimeError(f"{self.name}: {err}\n{stderr}") from err


def run_function(command, env, events, warm_runs, proxy, cwd=None):
    """One cold start: spawn, wait for the first /next, invoke the first event, then
    `warm_runs` more."""
    with Process(command, env, cwd) as function:
        kind, payload, first, first_own = function.invoke(events(), proxy)
        warm = [function.invoke(events(), proxy)[3] * 1000 for _ in range(warm_runs)]
        rss = function.peak_rss_kib()
    return ColdStart(function.ready * 1000, first * 1000, first_own * 1000, status_of(kind, payload), warm, rss)


class Warm(NamedTuple):
    """Warm requests of one process: the handler's times (ms, database time taken out), the
    CPU time each took on average (µs: the work itself, which the machine's noise does not
    stretch) and the process's peak RSS after them."""
    times: list
    cpu_us: float
    peak_rss_kib: int


def run_warm(functions, runs, proxy):
    """Starts each of `functions` ((command, env, events) triples), answers one first event
    each, then `runs` rounds of one warm event to each in turn: every round sees the same
    moment of the machine, so the functions' times can be compared round by round."""
    with contextlib.ExitStack() as stack:
        started = [(stack.enter_context(Process(command, env)), events) for command, env, events in functions]
        for process, events in started:
            process.invoke(events(), proxy)
        times = [[] for _ in started]
        cpu = [process.cpu_ns() for process, _ in started]
        for _ in range(runs):
            for (process, events), own in zip(started, times):
                own.append(process.invoke(events(), proxy)[3] * 1000)
        cpu_us = [(process.cpu_ns() - before) / 1000 / max(runs, 1) for (process, _), before in zip(started, cpu)]
        return [Warm(own, used, process.peak_rss_kib())
                for (process, _), own, used in zip(started, times, cpu_us)]


def paired_ratio(ours, theirs, resamples=2000):
    """The median of the per-pair ratios ours/theirs with a 95 % bootstrap interval
    (fixed seed: the same runs give the same interval)."""
    ratios = [a / b for a, b in zip(ours, theirs) if b > 0]
    pick = random.Random(17)
    medians = sorted(statistics.median(pick.choices(ratios, k=len(ratios))) for _ in range(resamples))
    return {"median": statistics.median(ratios), "low": percentile(medians, 2.5),
            "high": percentile(medians, 97.5)}


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summarize(name, runs, size, warm=None):
    """The cold starts' figures, and the warm requests' (those of the first run's process when
    `warm` is not given)."""
    times = warm.times if warm else runs[0].warm
    rss = [r.peak_rss_kib for r in runs] + ([warm.peak_rss_kib] if warm else [])
    return {
        "function": name,
        "ready_ms_p50": statistics.median(r.ready for r in runs),
        "ready_ms_p95": percentile([r.ready for r in runs], 95),
        "first_request_ms_p50": statistics.median(r.first_request for r in runs),
        "first_request_own_ms_p50": statistics.median(r.first_request_own for r in runs),
        "first_status": runs[0].first_status,
        "warm_handler_ms_p50": percentile(times, 50),
        "warm_handler_ms_p99": percentile(times, 99),
        "warm_cpu_us": warm.cpu_us if warm and times else None,
        "peak_rss_mib": max(rss) / 1024,
        "binary_mb": size / 1e6 if size else None,
        "calls_services": name in CALLS_SERVICES,
    }


def functions_of(bin_dir):
    names = sorted(p.stem for p in (ROOT / "events").glob("*.json"))
    missing = [n for n in names if not (bin_dir / n).exists()]
    if missing:
        sys.exit(f"bench: no binary for {', '.join(missing)} in {bin_dir} (build first)")
    return [n for n in names if n not in DESTRUCTIVE] + [n for n in DESTRUCTIVE if n in names]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir", default=str(ROOT / "target" / "release"))
    parser.add_argument("--cold-runs", type=int, default=15)
    parser.add_argument("--warm-runs", type=int, default=100)
    parser.add_argument("--only", nargs="*", help="function names (default: every function)")
    parser.add_argument("--python", default=sys.executable, help="Python with boto3 and awslambdaric")
    parser.add_argument("--peer", help="the get-product binary of aws-samples/serverless-rust-demo, built "
                        "with a DynamoDB endpoint override (see Peer); run before each cold start of ours")
    parser.add_argument("--out", help="write the figures as JSON here")
    parser.add_argument("--markdown", metavar="REPORT", help="print the tables of a report --out wrote, and stop")
    args = parser.parse_args()
    if args.markdown:
        print(markdown(json.loads(Path(args.markdown).read_text())))
        return

    bin_dir = Path(args.bin_dir)
    functions = args.only or functions_of(bin_dir)
    data = make_data()
    proxy = DynamoLink(os.environ["DYNAMODB_ENDPOINT"], record_times=True).start()
    results = []

    baseline_runs = []
    env = lambda_env("baseline_get_product", proxy)
    for run in range(args.cold_runs):
        baseline_runs.append(run_function(
            [args.python, "-m", "awslambdaric", "baseline_get_product.handler"], env,
            lambda: event_for("get_product", data), args.warm_runs if run == 0 else 0, proxy,
            cwd=str(Path(__file__).parent)))
    baseline = summarize("python_baseline_get_product", baseline_runs, None)
    print(json.dumps(baseline), flush=True)

    peer = Peer(Path(args.peer), data["run"], proxy) if args.peer else None
    peer_runs, peer_warm = [], []
    for function in functions:
        if time.monotonic() - data["logged_in_at"] > 300:
            log_in(data)
        runs, paired = [], []
        command, env = [str(bin_dir / function)], lambda_env(function, proxy)
        events = lambda: event_for(function, data)  # noqa: E731
        for _ in range(args.cold_runs):
            # The peer's cold start right before each of ours: the pair sees the same machine.
            if peer:
                paired.append(peer.cold_start())
            runs.append(run_function(command, env, events, 0, proxy))
        # Warm: ours and the peer's running side by side, one request to each in turn.
        warm_runs = 0 if function in DESTRUCTIVE else args.warm_runs
        both = [(command, env, events)] + ([([str(peer.binary)], peer.env, peer.event)] if peer else [])
        warm = run_warm(both, warm_runs, proxy)
        summary = summarize(function, runs, (bin_dir / function).stat().st_size, warm[0])
        summary["vs_baseline_ready"] = baseline["ready_ms_p50"] / summary["ready_ms_p50"]
        if peer:
            pair = summarize(PEER_NAME, paired, None, warm[1])
            summary["peer_ready_ms_p50"] = pair["ready_ms_p50"]
            summary["vs_peer_ready"] = summary["ready_ms_p50"] / pair["ready_ms_p50"]
            summary["vs_peer_first_request"] = summary["first_request_ms_p50"] / pair["first_request_ms_p50"]
            summary["vs_peer_first_request_own"] = (summary["first_request_own_ms_p50"]
                                                    / pair["first_request_own_ms_p50"])
            # Each cold start over the peer's right before it, each warm request over the
            # peer's in the same round: the median and its 95 % interval.
            for key in ("ready", "first_request", "first_request_own"):
                summary[f"paired_{key}_ratio"] = paired_ratio([getattr(r, key) for r in runs],
                                                              [getattr(r, key) for r in paired])
            if warm_runs:
                summary["vs_peer_warm"] = summary["warm_handler_ms_p50"] / pair["warm_handler_ms_p50"]
                summary["paired_warm_ratio"] = paired_ratio(warm[0].times, warm[1].times)
                summary["peer_warm_cpu_us"] = warm[1].cpu_us
            peer_runs += paired
            peer_warm.append(warm[1])
        results.append(summary)
        print(json.dumps(summary), flush=True)

    proxy.close()
    report = {"machine": machine(), "date": time.strftime("%Y-%m-%d"), "cold_runs": args.cold_runs,
              "warm_runs": args.warm_runs, "baseline": baseline, "functions": results}
    if peer:
        warm = Warm([t for w in peer_warm for t in w.times], statistics.mean(w.cpu_us for w in peer_warm),
                    max(w.peak_rss_kib for w in peer_warm))
        report["peer"] = summarize(PEER_NAME, peer_runs, Path(args.peer).stat().st_size, warm)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(report, indent=2))
    print(markdown(report))


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown CPU")
    return f"{os.cpu_count()} cores, {cpu}"


def fmt(value, digits=1):
    return "—" if value is None else f"{value:.{digits}f}"


def first(summary):
    return f"{fmt(summary['first_request_ms_p50'])} / {fmt(summary['first_request_own_ms_p50'])}"


def markdown(report):
    b, peer = report["baseline"], report.get("peer")
    lines = [
        f"Machine: {report['machine']}; {report['date']}; {report['cold_runs']} cold starts per function, "
        f"{report['warm_runs']} warm requests.",
        "",
        "| function | ready p50 (ms) | ready p95 | × faster than baseline | ready ÷ peer's | first request p50 / no DB (ms) "
        "| status | warm handler p50 / p99 (ms, no DB) | CPU per warm request (µs) | peak RSS (MiB) | binary (MB) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        f"| **Python 3.11 + boto3 baseline** (GET /products/{{id}}) | {fmt(b['ready_ms_p50'])} | "
        f"{fmt(b['ready_ms_p95'])} | 1 | — | {first(b)} | {b['first_status']} | "
        f"{fmt(b['warm_handler_ms_p50'], 2)} / {fmt(b['warm_handler_ms_p99'], 2)} | {fmt(b.get('warm_cpu_us'), 0)} | "
        f"{fmt(b['peak_rss_mib'])} | — |",
    ]
    if peer:
        lines.append(
            f"| **{PEER_NAME}** (all its runs) | {fmt(peer['ready_ms_p50'], 2)} | {fmt(peer['ready_ms_p95'], 2)} | "
            f"{b['ready_ms_p50'] / peer['ready_ms_p50']:.0f} | 1 | {first(peer)} | "
            f"{peer['first_status']} | {fmt(peer['warm_handler_ms_p50'], 2)} / {fmt(peer['warm_handler_ms_p99'], 2)} "
            f"| {fmt(peer.get('warm_cpu_us'), 0)} | {fmt(peer['peak_rss_mib'])} | {fmt(peer['binary_mb'])} |")
    for f in report["functions"]:
        note = " †" if f["calls_services"] else ""
        lines.append(
            f"| {f['function']}{note} | {fmt(f['ready_ms_p50'], 2)} | {fmt(f['ready_ms_p95'], 2)} | "
            f"{f['vs_baseline_ready']:.0f} | {fmt(f.get('vs_peer_ready'), 2)} | {first(f)} | "
            f"{f['first_status']} | {fmt(f['warm_handler_ms_p50'], 2)} / {fmt(f['warm_handler_ms_p99'], 2)} | "
            f"{fmt(f.get('warm_cpu_us'), 0)} | {fmt(f['peak_rss_mib'])} | {fmt(f['binary_mb'])} |")
    lines.append("")
    lines.append("† the handler calls other services over HTTP; its handler time includes those calls.")
    if peer:
        lines.append("Ready ÷ peer's: our ready p50 over the peer's p50 in the cold starts paired with ours "
                     "(the peer starts right before each of ours).")
        like = next((f for f in report["functions"] if f["function"] == "get_product"), None)
        if like and "paired_ready_ratio" in like:
            def ratio(key):
                r = like[f"paired_{key}_ratio"]
                return f"{r['median']:.2f}× (95 % CI {r['low']:.2f}–{r['high']:.2f})"
            warm = (f", warm handler {ratio('warm')}; CPU per warm request {like['warm_cpu_us']:.0f} µs "
                    f"against the peer's {like['peer_warm_cpu_us']:.0f} µs") if "paired_warm_ratio" in like else ""
            lines.append(f"get_product over the peer's get-product, pair by pair (median): ready {ratio('ready')}, "
                         f"first request {ratio('first_request')}, first request without the database time "
                         f"{ratio('first_request_own')}{warm}.")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
