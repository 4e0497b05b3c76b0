"""Instructions, not seconds: how many instructions our get_product and the peer's
get-product (local/bench/peer.sh) execute to start, to answer the first request and to
answer each warm request, counted by valgrind's callgrind under the same local Runtime API
against the running local stack. The counts repeat run to run whatever else the machine is
doing, so they show what the noisy wall-clock ratios cannot: how much work each does.

Three cold starts of each: until ready, ready + 1 request, ready + 1 + WARM requests; the
differences give the first request's and a warm request's counts. Callgrind's CPU lacks
some instruction-set extensions (SHA among them), so hashing counts more than it costs
natively.

    local/bench/instructions.py --bin-dir target/release --peer "$(local/bench/peer.sh)"
"""

import argparse
import os
import re
import signal
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))
from lambda_bench import PEER_NAME, Peer, Process, event_for, lambda_env, machine, make_data, status_of  # noqa: E402

WARM = 10


class Engine:
    """Straight to the engine: no timing pass-through, whose threads are not the function's."""
    url = os.environ["DYNAMODB_ENDPOINT"]


def instructions(command, env, event, requests):
    """The instructions one cold start executes up to ready and `requests` answers."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "callgrind.out"
        wrapper = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
        with Process(command, env, wrapper=wrapper, ready_timeout=120) as function:
            for _ in range(requests):
                kind, payload, _, _ = function.invoke(event())
                if status_of(kind, payload) != 200:
                    sys.exit(f"instructions: {command[0]} answered {kind}: {payload[:200]!r}")
            # Ended by a signal as Lambda ends a sandbox; callgrind writes its counts on the way out.
            function.stop(signal.SIGTERM)
        totals = re.search(r"^(?:summary|totals): (\d+)", out.read_text(), re.MULTILINE)
        return int(totals.group(1))


def counts(command, env, event):
    ready, first, warm = (instructions(command, env, event, n) for n in (0, 1, 1 + WARM))
    return {"ready": ready, "first_request": first - ready, "warm_request": (warm - first) / WARM}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir", default="target/release")
    parser.add_argument("--peer", required=True, help="the peer's get-product binary (local/bench/peer.sh)")
    args = parser.parse_args()
    data = make_data()
    peer = Peer(Path(args.peer), data["run"], Engine())
    ours = counts([str(Path(args.bin_dir) / "get_product")], lambda_env("get_product", Engine()),
                  lambda: event_for("get_product", data))
    theirs = counts([str(peer.binary)], peer.env, peer.event)
    print(f"\nMachine: {machine()}; instructions (callgrind), warm = the mean of {WARM} requests.\n")
    print(f"| | get_product | {PEER_NAME} | ours ÷ peer's |")
    print("| --- | --- | --- | --- |")
    for key, label in (("ready", "start until ready"), ("first_request", "first request"),
                       ("warm_request", "warm request")):
        print(f"| {label} | {ours[key] / 1e6:.2f} M | {theirs[key] / 1e6:.2f} M | {ours[key] / theirs[key]:.2f} |")


if __name__ == "__main__":
    main()
