"""A strict time split of an interactions CSV, in the layout of `eval_reco.py split`.

train = every row before the cutoff; test = for each customer with rows on both sides,
the products they bought in the `--days` after the cutoff that they had not bought
before. Unlike leave-last-basket-out, no purchase after the cutoff is in train, so time
weighting cannot profit from other customers' later purchases.

    python3 time_split.py --interactions interactions.csv --cutoff 2011-11-01 --out DIR
    (then: eval_reco.py score --split-dir DIR --recs recs.csv)
"""

import argparse
import csv
import datetime
import os


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--interactions", required=True)
    parser.add_argument("--cutoff", required=True, help="ISO date, UTC")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    cutoff = datetime.datetime.fromisoformat(args.cutoff).replace(tzinfo=datetime.timezone.utc).timestamp()
    horizon = cutoff + args.days * 86400
    with open(args.interactions, newline="") as f:
        rows = [r for r in csv.DictReader(f) if float(r["weight"]) > 0]
    train = [r for r in rows if float(r["timestamp"]) < cutoff]
    bought = {}
    for r in train:
        bought.setdefault(r["customer_id"], set()).add(r["product_id"])
    test = {}
    for r in rows:
        t = float(r["timestamp"])
        customer = r["customer_id"]
        if cutoff <= t < horizon and customer in bought and r["product_id"] not in bought[customer]:
            test.setdefault(customer, {})[r["product_id"]] = r
    os.makedirs(args.out, exist_ok=True)
    columns = ["customer_id", "product_id", "timestamp", "weight"]
    with open(os.path.join(args.out, "train.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(train)
    with open(os.path.join(args.out, "test.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, columns, extrasaction="ignore")
        writer.writeheader()
        for customer in sorted(test):
            writer.writerows(test[customer][p] for p in sorted(test[customer]))
    with open(os.path.join(args.out, "test_users.csv"), "w") as f:
        f.write("customer_id\n" + "".join(f"{c}\n" for c in sorted(test)))
    print(f"train {len(train)} rows; {len(test)} test users; {sum(len(v) for v in test.values())} test rows")


if __name__ == "__main__":
    main()
