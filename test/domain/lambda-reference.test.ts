import t from 'tap';
import {
  functionArn,
  lambdaInvocationUri,
  parseFunctionReference,
  parseLambdaInvocationUri,
  partitionOfRegion,
  qualifierKind,
} from '../../src/domain/lambda-reference.js';
import type { FunctionReference } from '../../src/domain/lambda-reference.js';

const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';

t.test('parseFunctionReference accepts every documented form', async (t) => {
  const cases: Array<[string, FunctionReference]> = [
    ['my-fn', { name: 'my-fn', isArn: false }],
    ['my_fn_2', { name: 'my_fn_2', isArn: false }],
    ['a'.repeat(64), { name: 'a'.repeat(64), isArn: false }],
    ['my-fn:PROD', { name: 'my-fn', qualifier: 'PROD', isArn: false }],
    ['my-fn:live-2', { name: 'my-fn', qualifier: 'live-2', isArn: false }],
    ['my-fn:v1', { name: 'my-fn', qualifier: 'v1', isArn: false }],
    ['my-fn:7', { name: 'my-fn', qualifier: '7', isArn: false }],
    ['my-fn:$LATEST', { name: 'my-fn', qualifier: '$LATEST', isArn: false }],
    [`my-fn:${'q'.repeat(128)}`, { name: 'my-fn', qualifier: 'q'.repeat(128), isArn: false }],
    [`${ACCOUNT}:function:my-fn`, { name: 'my-fn', accountId: ACCOUNT, isArn: true }],
    [`${ACCOUNT}:function:my-fn:PROD`, { name: 'my-fn', qualifier: 'PROD', accountId: ACCOUNT, isArn: true }],
    [
      `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:my-fn`,
      { name: 'my-fn', partition: 'aws', region: 'eu-west-1', accountId: ACCOUNT, isArn: true },
    ],
    [
      `arn:aws:lambda:eu-west-1:${OTHER_ACCOUNT}:function:my-fn:3`,
      { name: 'my-fn', qualifier: '3', partition: 'aws', region: 'eu-west-1', accountId: OTHER_ACCOUNT, isArn: true },
    ],
    [
      `arn:aws-cn:lambda:cn-north-1:${ACCOUNT}:function:my-fn:PROD`,
      { name: 'my-fn', qualifier: 'PROD', partition: 'aws-cn', region: 'cn-north-1', accountId: ACCOUNT, isArn: true },
    ],
    [
      `arn:aws-us-gov:lambda:us-gov-west-1:${ACCOUNT}:function:my-fn`,
      { name: 'my-fn', partition: 'aws-us-gov', region: 'us-gov-west-1', accountId: ACCOUNT, isArn: true },
    ],
  ];
  for (const [input, ref] of cases) {
    t.same(parseFunctionReference(input), { ok: true, ref }, input);
  }
});

t.test('parseFunctionReference rejects malformed references with a reason', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['', /must not be empty/],
    ['a'.repeat(65), /1 to 64 letters/],
    ['my.fn', /1 to 64 letters/],
    ['my fn', /1 to 64 letters/],
    ['my-fn:', /qualifier after ":" must not be empty/],
    ['my-fn:al.ias', /qualifier "al.ias"/],
    [`my-fn:${'q'.repeat(129)}`, /qualifier/],
    ['my-fn:$LAST', /qualifier "\$LAST"/],
    ['a:b:c', /must be a function name, name:alias/],
    ['12345:function:my-fn', /account "12345" .* must be 12 digits/],
    [`${ACCOUNT}:function:my-fn:PROD:extra`, /must be a function name/],
    [`arn:aws:s3:::bucket`, /is not a Lambda function ARN/],
    [`arn:aws:lambda:eu-west-1:${ACCOUNT}:layer:my-layer:1`, /is not a Lambda function ARN/],
    [`arn:aws:lambda:eu-west-1:${ACCOUNT}:function:my-fn:PROD:9`, /is not a Lambda function ARN/],
    [`arn:gcp:lambda:eu-west-1:${ACCOUNT}:function:my-fn`, /partition "gcp"/],
    [`arn:aws:lambda:europe:${ACCOUNT}:function:my-fn`, /region "europe"/],
    [`arn:aws:lambda:eu-west-1:1234:function:my-fn`, /account "1234"/],
    [`arn:aws:lambda:cn-north-1:${ACCOUNT}:function:my-fn`, /cn-north-1 belongs to partition aws-cn, not aws/],
    [`arn:aws-cn:lambda:us-east-1:${ACCOUNT}:function:my-fn`, /us-east-1 belongs to partition aws, not aws-cn/],
    ['${stageVariables.fn}', /stage variables/],
    ['my-fn:${stageVariables.alias}', /stage variables/],
  ];
  for (const [input, message] of cases) {
    const result = parseFunctionReference(input);
    t.equal(result.ok, false, `${input} is rejected`);
    if (!result.ok) t.match(result.message, message, input);
  }
});

t.test('partitionOfRegion', async (t) => {
  const cases: Array<[string, string]> = [
    ['us-east-1', 'aws'],
    ['eu-central-2', 'aws'],
    ['ap-southeast-5', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
    ['eusc-de-east-1', 'aws-eusc'],
  ];
  for (const [region, partition] of cases) t.equal(partitionOfRegion(region), partition, region);
});

t.test('qualifierKind tells versions, aliases and $LATEST apart', async (t) => {
  t.equal(qualifierKind('12'), 'version');
  t.equal(qualifierKind('PROD'), 'alias');
  t.equal(qualifierKind('2024-live'), 'alias');
  t.equal(qualifierKind('$LATEST'), 'latest');
});

t.test('functionArn fills in what the reference leaves out', async (t) => {
  const defaults = { region: 'eu-west-1', accountId: ACCOUNT };
  const arnOf = (input: string, d = defaults): string => {
    const parsed = parseFunctionReference(input);
    if (!parsed.ok) throw new Error(parsed.message);
    return functionArn(parsed.ref, d);
  };
  t.equal(arnOf('my-fn'), `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:my-fn`);
  t.equal(arnOf('my-fn:PROD'), `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:my-fn:PROD`, 'alias kept');
  t.equal(arnOf('my-fn:7'), `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:my-fn:7`, 'version kept');
  t.equal(
    arnOf(`${OTHER_ACCOUNT}:function:my-fn`),
    `arn:aws:lambda:eu-west-1:${OTHER_ACCOUNT}:function:my-fn`,
    'partial ARN keeps its account',
  );
  t.equal(
    arnOf(`arn:aws:lambda:us-east-1:${OTHER_ACCOUNT}:function:my-fn:PROD`),
    `arn:aws:lambda:us-east-1:${OTHER_ACCOUNT}:function:my-fn:PROD`,
    'full ARN keeps its region and account',
  );
  t.equal(
    arnOf('my-fn', { region: 'cn-north-1', accountId: ACCOUNT }),
    `arn:aws-cn:lambda:cn-north-1:${ACCOUNT}:function:my-fn`,
    'partition follows the region',
  );
});

t.test('lambdaInvocationUri always builds the full form', async (t) => {
  t.equal(
    lambdaInvocationUri('us-east-1', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:echo`),
    `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:${ACCOUNT}:function:echo/invocations`,
  );
  t.equal(
    lambdaInvocationUri('cn-north-1', `arn:aws-cn:lambda:cn-north-1:${ACCOUNT}:function:echo:PROD`),
    `arn:aws-cn:apigateway:cn-north-1:lambda:path/2015-03-31/functions/arn:aws-cn:lambda:cn-north-1:${ACCOUNT}:function:echo:PROD/invocations`,
  );
});

t.test('parseLambdaInvocationUri', async (t) => {
  const uriOf = (arn: string, apiRegion = 'us-east-1'): string => lambdaInvocationUri(apiRegion, arn);
  const cases: Array<[string, string, ReturnType<typeof parseLambdaInvocationUri>]> = [
    [
      'unqualified',
      uriOf(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:echo`),
      {
        apiRegion: 'us-east-1',
        functionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:echo`,
        name: 'echo',
        accountId: ACCOUNT,
        region: 'us-east-1',
        usesStageVariables: false,
      },
    ],
    [
      'alias, function in another region and account',
      uriOf(`arn:aws:lambda:eu-west-1:${OTHER_ACCOUNT}:function:echo:PROD`),
      {
        apiRegion: 'us-east-1',
        functionArn: `arn:aws:lambda:eu-west-1:${OTHER_ACCOUNT}:function:echo:PROD`,
        name: 'echo',
        qualifier: 'PROD',
        accountId: OTHER_ACCOUNT,
        region: 'eu-west-1',
        usesStageVariables: false,
      },
    ],
    [
      '$LATEST',
      uriOf(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:echo:$LATEST`),
      {
        apiRegion: 'us-east-1',
        functionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:echo:$LATEST`,
        name: 'echo',
        qualifier: '$LATEST',
        accountId: ACCOUNT,
        region: 'us-east-1',
        usesStageVariables: false,
      },
    ],
    [
      'stage variable for the name',
      uriOf(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:\${stageVariables.fn}`),
      {
        apiRegion: 'us-east-1',
        functionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:\${stageVariables.fn}`,
        name: '${stageVariables.fn}',
        accountId: ACCOUNT,
        region: 'us-east-1',
        usesStageVariables: true,
      },
    ],
    [
      'stage variable for the alias',
      uriOf(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:echo:\${stageVariables.alias}`),
      {
        apiRegion: 'us-east-1',
        functionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:echo:\${stageVariables.alias}`,
        name: 'echo',
        qualifier: '${stageVariables.alias}',
        accountId: ACCOUNT,
        region: 'us-east-1',
        usesStageVariables: true,
      },
    ],
    [
      'cn partition',
      uriOf(`arn:aws-cn:lambda:cn-north-1:${ACCOUNT}:function:echo`, 'cn-north-1'),
      {
        apiRegion: 'cn-north-1',
        functionArn: `arn:aws-cn:lambda:cn-north-1:${ACCOUNT}:function:echo`,
        name: 'echo',
        accountId: ACCOUNT,
        region: 'cn-north-1',
        usesStageVariables: false,
      },
    ],
    ['bare function ARN', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:echo`, undefined],
    ['HTTP URL', 'https://example.com/invocations', undefined],
    ['other service', 'arn:aws:apigateway:us-east-1:sqs:path/123456789012/queue', undefined],
    ['missing /invocations', `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:${ACCOUNT}:function:echo`, undefined],
    ['short account', uriOf('arn:aws:lambda:us-east-1:1234:function:echo'), undefined],
  ];
  for (const [name, uri, expected] of cases) t.same(parseLambdaInvocationUri(uri), expected, name);
});
