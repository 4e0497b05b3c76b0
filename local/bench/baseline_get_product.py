"""The baseline for the cold-start benchmark: GET /products/{id} as the Python stack this
platform replaces would serve it (boto3 client built at init, one consistent GetItem),
run by awslambdaric exactly as Lambda's Python runtime runs a handler."""

import json
import os

import boto3

TABLE = os.environ["PRODUCTS_TABLE"]
dynamodb = boto3.client("dynamodb", endpoint_url=os.environ.get("DYNAMODB_ENDPOINT"))


def handler(event, context):
    product_id = (event.get("pathParameters") or {}).get("id", "")
    item = dynamodb.get_item(TableName=TABLE, Key={"id": {"S": product_id}}, ConsistentRead=True).get("Item")
    if item is None or "deleted_at" in item:
        return {
            "statusCode": 404,
            "headers": {"content-type": "application/problem+json"},
            "body": json.dumps({"title": "Not Found", "status": 404}),
        }
    product = {
        "id": item["id"]["S"],
        "name": item["name"]["S"],
        "description": item["description"]["S"],
        "category": item["category"]["S"],
        "price_cents": int(item["price_cents"]["N"]),
        "currency": item["currency"]["S"],
        "stock": int(item["stock"]["N"]),
        "created_at": item["created_at"]["S"],
        "updated_at": item["updated_at"]["S"],
    }
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(product)}
