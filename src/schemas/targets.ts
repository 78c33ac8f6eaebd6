// A target and whether Gatewire can reach it (GET /v1/targets).
import * as Type from 'typebox';

export const TargetStatus = Type.Object(
  {
    name: Type.String({ description: 'How paths name it: `/v1/targets/{name}/apis/…`.' }),
    accountId: Type.Optional(Type.String({ description: 'Absent only for `default` while STS cannot say.' })),
    region: Type.String(),
    default: Type.Boolean({ description: 'The account and region of the paths without a target.' }),
    reachable: Type.Boolean(),
    problem: Type.Optional(Type.String({ description: 'Why it is unreachable.' })),
    checkedAt: Type.String({ format: 'date-time', description: 'When reachability was last checked.' }),
  },
  {
    $id: 'TargetStatus',
    title: 'TargetStatus',
    examples: [{ name: 'prod-eu', accountId: '210987654321', region: 'eu-west-1', default: false, reachable: true, checkedAt: '2026-12-05T12:00:00.000Z' }],
  },
);
