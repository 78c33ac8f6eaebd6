import t from 'tap';
import { fleetRolesFor } from '../../src/domain/fleet-roles.js';
import { targetsOf } from '../../src/domain/targets.js';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const targets = targetsOf(
  [
    { name: 'b-eu', accountId: B, region: 'eu-west-1', roleArn: `arn:aws:iam::${B}:role/target`, externalId: 'x-b' },
    { name: 'b-us', accountId: B, region: 'us-east-1', roleArn: `arn:aws:iam::${B}:role/other` },
    { name: 'a-west', accountId: A, region: 'us-west-2', roleArn: `arn:aws:iam::${A}:role/target` },
    { name: 'c', accountId: C, region: 'us-east-1', roleArn: `arn:aws:iam::${C}:role/target`, externalId: 'x-c' },
  ],
  { accountId: A, region: 'us-east-1' },
);

t.test("each other account of the fleet is written with its first target's role and external id", async (t) => {
  t.same(fleetRolesFor(targets, {}, A), {
    roles: { [B]: `arn:aws:iam::${B}:role/target`, [C]: `arn:aws:iam::${C}:role/target` },
    externalIds: { [B]: 'x-b', [C]: 'x-c' },
  }, 'not the own account, whose functions take its own credentials');
  t.same(fleetRolesFor(targets, {}, B).roles[A], `arn:aws:iam::${A}:role/target`, "from B's point of view, A is another account");
});

t.test('a configured cross-account role wins, without the target external id', async (t) => {
  const fleet = fleetRolesFor(targets, { [C]: `arn:aws:iam::${C}:role/configured` }, A);
  t.equal(fleet.roles[C], `arn:aws:iam::${C}:role/configured`);
  t.notOk(C in fleet.externalIds);
});

t.test('with the own account unknown, only configured roles apply', async (t) => {
  t.same(fleetRolesFor(targets, { [C]: 'arn:aws:iam::333333333333:role/configured' }, undefined), {
    roles: { [C]: 'arn:aws:iam::333333333333:role/configured' },
    externalIds: {},
  });
});
