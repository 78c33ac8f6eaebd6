// Makes an API key and the GATEWIRE_API_KEYS entry that stores only its SHA-256:
//   npx tsx scripts/hash-api-key.ts --name ci-deployer --scopes write [--api-ids abc123,def456]
// With --key <key> (or the key on stdin with --stdin) it hashes an existing key instead.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { SCOPES, generateApiKey, hashApiKey, parseApiKeys } from '../src/auth/credentials.js';

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    scopes: { type: 'string', default: 'read' },
    'api-ids': { type: 'string' },
    key: { type: 'string' },
    stdin: { type: 'boolean', default: false },
  },
});
if (!values.name) {
  console.error(`usage: npx tsx scripts/hash-api-key.ts --name <name> [--scopes ${SCOPES.join(',')}] [--api-ids id1,id2] [--key <key> | --stdin]`);
  process.exit(2);
}
const key = values.stdin ? readFileSync(0, 'utf8').trim() : (values.key ?? generateApiKey());
const entry = {
  name: values.name,
  sha256: hashApiKey(key),
  scopes: values.scopes.split(',').map((scope) => scope.trim()),
  ...(values['api-ids'] ? { apiIds: values['api-ids'].split(',').map((id) => id.trim()) } : {}),
};
parseApiKeys(JSON.stringify([entry])); // the same checks as at start-up: throws naming the bad field
if (!values.key && !values.stdin) console.error(`API key (give it to the caller; it is not stored anywhere):\n\n    ${key}\n`);
console.error('GATEWIRE_API_KEYS entry (the JSON array holds one such object per key):\n');
console.log(JSON.stringify(entry));
