/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/cli/plan.test.ts > TAP > a map that adds, changes and removes routes: the diff, with permissions and the deployment > the plan diff 1`] = `
Gatewire will change API <api> as follows (+ add, ~ change, - remove):

Routes:
  ~ old  (integration <integration of old>)
      ~ Update integration <integration of old>: integrationUri, timeoutInMillis
          integrationUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:old-fn/invocations" -> "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:chat/invocations"
          timeoutInMillis: 29000 -> 5000
  - gone  (integration <integration of gone>)
      ~ Unbind route gone from integrations/<integration of gone>
          target: "integrations/<integration of gone>" -> (none)
      - Delete integration <integration of gone>, which no route uses any more
  + fresh
      + Create a AWS_PROXY integration
          integrationType: "AWS_PROXY"
          integrationUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:chat/invocations"
          integrationMethod: "POST"
          connectionType: "INTERNET"
          timeoutInMillis: 29000
          passthroughBehavior: "WHEN_NO_MATCH"
          payloadFormatVersion: "1.0"
      + Create route fresh targeting integrations/<create-integration>
          routeKey: "fresh"
          target: "integrations/<r3-create-integration>"
          routeResponseSelectionExpression: "$default"
      + Add the $default route response to fresh (two-way)
          routeId: "<r3-create-route>"
          routeResponseKey: "$default"

Lambda permissions:
  + Allow API <api> to invoke arn:aws:lambda:us-east-1:123456789012:function:chat (arn:aws:execute-api:us-east-1:123456789012:<api>/*)
  - Remove Gatewire statement gatewire-<api>-api of API <api> from arn:aws:lambda:us-east-1:123456789012:function:old-fn

Deployment:
  + deploy the API on stage prod

Plan: 1 to add, 1 to change, 1 to remove, 1 unchanged; permissions: 1 to add, 1 to remove; deploy stage prod; 9 AWS calls.

`
