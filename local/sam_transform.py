"""Expands template.yaml with the SAM translator (offline: no AWS call) and writes the
CloudFormation template it becomes, for cfn-lint to check what CloudFormation would get.
`sam validate --lint` lints the template before the transform, which misses what only the
expanded one shows: a circular dependency between an API and its functions, a policy SAM
adds, a resource count past CloudFormation's 500.

  sam_transform.py TEMPLATE OUT.json
"""

import collections
import json
import sys

from cfnlint.decode import decode_str
from samtranslator.translator.transform import transform

MAX_RESOURCES = 500
PSEUDO = {
    "AWS::Region": "us-east-1",
    "AWS::Partition": "aws",
    "AWS::AccountId": "123456789012",
    "AWS::StackName": "shop-platform",
    "AWS::URLSuffix": "amazonaws.com",
}


class ManagedPolicies:
    """Any managed policy name resolves: the ARNs are not checked offline."""

    def load(self):
        return collections.defaultdict(lambda: "arn:aws:iam::aws:policy/placeholder")


def main():
    source, target = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as file:
        # Code is built by `sam build`; the translator only needs a location.
        text = file.read().replace("CodeUri: .\n", "CodeUri: s3://bucket/key\n")
    template, errors = decode_str(text)
    if errors:
        sys.exit(f"sam_transform: {errors}")
    expanded = transform(json.loads(json.dumps(template)), PSEUDO, ManagedPolicies())
    with open(target, "w", encoding="utf-8") as file:
        json.dump(expanded, file, indent=1, default=str)
    count = len(expanded["Resources"])
    print(f"sam_transform: {count} resources after the SAM transform (CloudFormation's limit: {MAX_RESOURCES})")
    if count > MAX_RESOURCES:
        sys.exit(1)


if __name__ == "__main__":
    main()
