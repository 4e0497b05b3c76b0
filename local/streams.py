"""The local stand-in for Lambda's DynamoDB stream event source mappings.

For every function of template.yaml triggered by a table's stream, it reads the
table's stream on DynamoDB Local (from the oldest record, TRIM_HORIZON, as the template
says) and invokes the function through the Lambda emulator with the event Lambda would
send: batches of up to 100 records, in order per shard. As with ReportBatchItemFailures,
a batch whose answer names a failed record is retried from that record, and a failed
invocation is retried whole, with growing pauses; after MAX_ATTEMPTS the records go to a
dead-letter file (as the mapping's on-failure destination) and the shard moves on.

  streams.py --endpoint DYNAMODB --lambda-url URL --template template.yaml --dead-letters FILE
"""

import argparse
import base64
import json
import sys
import time
import urllib.error
import urllib.request

import boto3
from tables import CfnLoader, yaml

BATCH = 100
MAX_ATTEMPTS = 8
IDLE_SECONDS = 0.2


def stream_functions(template_path):
    """(table logical id, function binary) of every stream-triggered function."""
    with open(template_path, encoding="utf-8") as file:
        template = yaml.load(file, Loader=CfnLoader)
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event in resource["Properties"].get("Events", {}).values():
            if event["Type"] == "DynamoDB":
                stream = event["Properties"]["Stream"]
                table = (stream if isinstance(stream, str) else stream[0]).split(".")[0]
                yield table, resource["Metadata"]["BuildProperties"]["Binary"]


def plain(value):
    """A stream record as JSON: binary attributes in base64, times in epoch seconds."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    if hasattr(value, "timestamp"):
        return value.timestamp()
    return value


def invoke(lambda_url, function, records, arn):
    event = {"Records": [dict(plain(r), eventSourceARN=arn) for r in records]}
    request = urllib.request.Request(
        f"{lambda_url}/2015-03-31/functions/{function}/invocations",
        data=json.dumps(event).encode(),
        headers={"content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            body = json.loads(answer.read() or b"{}")
    except (urllib.error.URLError, OSError, ValueError) as err:
        return 0, f"invocation failed: {err}"
    if not isinstance(body, dict) or "errorType" in body or "errorMessage" in body:
        return 0, f"function error: {body}"
    failures = body.get("batchItemFailures") or []
    if not failures:
        return len(records), None
    failed = failures[0].get("itemIdentifier")
    done = next((i for i, r in enumerate(records) if r["dynamodb"]["SequenceNumber"] == failed), 0)
    return done, f"record {failed} failed"


def deliver(lambda_url, function, records, arn, dead_letters):
    """Delivers a batch; retries what fails; dead-letters it after MAX_ATTEMPTS."""
    pause = 0.5
    for attempt in range(1, MAX_ATTEMPTS + 1):
        done, error = invoke(lambda_url, function, records, arn)
        records = records[done:]
        if not records:
            return
        print(f"streams: {function}: {error}; attempt {attempt}, {len(records)} records left", flush=True)
        time.sleep(pause)
        pause = min(pause * 2, 5)
    with open(dead_letters, "a", encoding="utf-8") as file:
        file.write(json.dumps({"function": function, "stream": arn, "records": plain(records)}) + "\n")
    print(f"streams: {function}: {len(records)} records sent to {dead_letters}", flush=True)


class Follower:
    """Reads one table's stream, shard by shard, parents before children."""

    def __init__(self, dynamodb, streams, table, function):
        self.streams, self.function = streams, function
        self.arn = dynamodb.describe_table(TableName=table)["Table"].get("LatestStreamArn")
        if not self.arn:
            sys.exit(f"streams: table {table} has no stream (StreamSpecification in template.yaml)")
        self.iterators, self.finished, self.delivered = {}, set(), {}

    def discover(self):
        shards, start = [], None
        while True:
            args = {"StreamArn": self.arn}
            if start:
                args["ExclusiveStartShardId"] = start
            description = self.streams.describe_stream(**args)["StreamDescription"]
            shards += description["Shards"]
            start = description.get("LastEvaluatedShardId")
            if not start:
                break
        known = {s["ShardId"] for s in shards}
        for shard in shards:
            shard_id, parent = shard["ShardId"], shard.get("ParentShardId")
            if shard_id in self.finished or shard_id in self.iterators:
                continue
            if parent and parent in known and parent not in self.finished:
                continue
            self.iterators[shard_id] = self.iterator(shard_id)

    def iterator(self, shard_id):
        """Where to read a shard from: after the last record delivered, else its oldest."""
        position = {"ShardIteratorType": "TRIM_HORIZON"}
        if shard_id in self.delivered:
            position = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                        "SequenceNumber": self.delivered[shard_id]}
        return self.streams.get_shard_iterator(StreamArn=self.arn, ShardId=shard_id, **position)["ShardIterator"]

    def poll(self, lambda_url, dead_letters):
        busy = False
        for shard_id, iterator in list(self.iterators.items()):
            try:
                answer = self.streams.get_records(ShardIterator=iterator, Limit=BATCH)
            except (self.streams.exceptions.ExpiredIteratorException,
                    self.streams.exceptions.TrimmedDataAccessException):
                # The engine drops idle iterators: read on from the last record delivered.
                self.iterators[shard_id] = self.iterator(shard_id)
                continue
            if answer["Records"]:
                busy = True
                deliver(lambda_url, self.function, answer["Records"], self.arn, dead_letters)
                self.delivered[shard_id] = answer["Records"][-1]["dynamodb"]["SequenceNumber"]
            following = answer.get("NextShardIterator")
            if following:
                self.iterators[shard_id] = following
            else:
                del self.iterators[shard_id]
                self.finished.add(shard_id)
        return busy


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--lambda-url", required=True)
    parser.add_argument("--template", required=True)
    parser.add_argument("--dead-letters", required=True)
    args = parser.parse_args()
    session = dict(endpoint_url=args.endpoint, region_name="us-east-1",
                   aws_access_key_id="local", aws_secret_access_key="local")
    dynamodb = boto3.client("dynamodb", **session)
    streams = boto3.client("dynamodbstreams", **session)
    followers = [Follower(dynamodb, streams, table, function)
                 for table, function in stream_functions(args.template)]
    print(f"streams: following {', '.join(f.function for f in followers)}", flush=True)
    rounds = 0
    while True:
        if rounds % 25 == 0:  # new shards appear as the engine rolls them over
            for follower in followers:
                follower.discover()
        rounds += 1
        busy = False
        for follower in followers:
            busy |= follower.poll(args.lambda_url, args.dead_letters)
        if not busy:
            time.sleep(IDLE_SECONDS)


if __name__ == "__main__":
    main()
