#!/usr/bin/env node
// `gatewire` (npx gatewire …): the CLI runs from its TypeScript sources through tsx, a dependency
// of the package, so that it works from a clone or a git install with no build step (see
// docs/decisions.md, "CLI (issue 17)").
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
const { processIo } = await import('../src/cli/io.ts');
process.exitCode = await runCli(process.argv.slice(2), processIo());
