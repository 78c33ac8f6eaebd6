"""Seeds moto with what the README's example requests need, and prints the API id.

Runs inside the motoserver/moto image (boto3 ships with moto), as the compose file's one-shot
`moto-seed` service: `docker compose run --rm moto-seed`. Against a moto of your own:
`MOTO_ENDPOINT=http://127.0.0.1:5000 python3 scripts/moto-seed.py` (needs boto3).

Creates, unless they exist (it is safe to run again):
  - the WebSocket API "chat" (route selection expression $request.body.action)
  - the IAM role "gatewire-example-lambda" that the functions run as (moto checks it exists)
  - the Lambda functions "chat-handler" (with version 1 and the alias "live") and "private-fn"
"""
import io
import json
import os
import zipfile

import boto3

ENDPOINT = os.environ.get("MOTO_ENDPOINT", "http://127.0.0.1:5000")
REGION = os.environ.get("AWS_REGION", "us-east-1")
CLIENT = dict(endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")

apigw = boto3.client("apigatewayv2", **CLIENT)
iam = boto3.client("iam", **CLIENT)
lam = boto3.client("lambda", **CLIENT)


def api_id(name):
    for api in apigw.get_apis().get("Items", []):
        if api["Name"] == name and api["ProtocolType"] == "WEBSOCKET":
            return api["ApiId"]
    return apigw.create_api(
        Name=name, ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )["ApiId"]


def role_arn(name):
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
        }
        return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def code():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.mjs", "export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event.body ?? null) });\n")
    return buffer.getvalue()


def function_arn(name, role, alias=None):
    try:
        arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    except lam.exceptions.ResourceNotFoundException:
        arn = lam.create_function(
            FunctionName=name, Runtime="nodejs22.x", Role=role, Handler="index.handler", Code={"ZipFile": code()}
        )["FunctionArn"]
    if alias:
        aliases = [entry["Name"] for entry in lam.list_aliases(FunctionName=name).get("Aliases", [])]
        if alias not in aliases:
            version = lam.publish_version(FunctionName=name)["Version"]
            lam.create_alias(FunctionName=name, Name=alias, FunctionVersion=version)
    return arn


role = role_arn("gatewire-example-lambda")
chat = api_id("chat")
handler = function_arn("chat-handler", role, alias="live")
private = function_arn("private-fn", role)

print(f"WebSocket API 'chat': {chat}")
print(f"Lambda functions: {handler} (alias live), {private}")
print(f"export API=http://127.0.0.1:3000/v1/apis/{chat}")
