"""Creates the DynamoDB tables declared in template.yaml on the local engine.

The local schema is read from the same template that deploys to AWS, so the two
cannot drift. A table's local name is its logical id (e.g. `CustomersTable`).
Existing tables are left as they are, so this is safe to run again.
"""

import argparse
import sys

import boto3
import yaml


class CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation short-form tags (!Ref, !GetAtt, !Sub...) as plain values."""


def _any_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


CfnLoader.add_multi_constructor("!", _any_tag)


def table_definitions(template_path):
    with open(template_path, encoding="utf-8") as f:
        template = yaml.load(f, Loader=CfnLoader)
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::DynamoDB::Table":
            yield logical_id, resource["Properties"]


def create(client, name, props):
    args = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if "GlobalSecondaryIndexes" in props:
        args["GlobalSecondaryIndexes"] = [
            {k: v for k, v in gsi.items() if k in ("IndexName", "KeySchema", "Projection")}
            for gsi in props["GlobalSecondaryIndexes"]
        ]
    stream = props.get("StreamSpecification")
    if stream:
        args["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    client.create_table(**args)
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
        )


def enable_stream(client, name, props):
    """A table kept from before its stream was declared gets it now."""
    stream = props.get("StreamSpecification")
    if stream and not client.describe_table(TableName=name)["Table"].get("StreamSpecification"):
        client.update_table(
            TableName=name,
            StreamSpecification={"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]},
        )
        print(f"table {name}: stream enabled")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--template", default="template.yaml")
    args = parser.parse_args()
    client = boto3.client("dynamodb", endpoint_url=args.endpoint, region_name="us-east-1",
                          aws_access_key_id="local", aws_secret_access_key="local")
    existing = set(client.list_tables()["TableNames"])
    for name, props in table_definitions(args.template):
        if name in existing:
            print(f"table {name}: exists")
            enable_stream(client, name, props)
        else:
            create(client, name, props)
            print(f"table {name}: created")
    return 0


if __name__ == "__main__":
    sys.exit(main())
