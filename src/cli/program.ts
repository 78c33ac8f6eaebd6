// The commands, their arguments and options (commander). Every command takes `--json`; usage
// errors (an unknown option, a missing --api) end like any bad input, with exit code 2.
import { Command, InvalidArgumentError, Option } from 'commander';
import { applyCommand } from './commands/apply.js';
import { auditCommand } from './commands/audit.js';
import { driftCommand } from './commands/drift.js';
import { getCommand } from './commands/get.js';
import { planCommand } from './commands/plan.js';
import type { CliIo } from './io.js';

const AUDIT_STATUSES = ['pending', 'succeeded', 'failed', 'rolled_back', 'partial', 'interrupted'] as const;

/** Builds the program; the action of the command run stores its exit code through `setExitCode`. */
export function buildProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('gatewire')
    .description('Drive Gatewire from pipelines and terminals. Reads GATEWIRE_URL and GATEWIRE_API_KEY from the environment.')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(run `gatewire --help` for the commands)');

  program
    .command('plan')
    .description('Show what applying a route map would change: routes added, changed and removed, permissions, deployment')
    .argument('<file>', 'route map: the bulk apply body ({ routes: { <routeKey>: <intent> | null } }) in JSON or YAML')
    .addOption(apiOption())
    .addOption(targetOption())
    .addOption(stageOption())
    .addOption(jsonOption())
    .action(async (file: string, options) => setExitCode(await planCommand(io, file, options)));

  program
    .command('apply')
    .description('Apply a route map as one change, with its progress; exits non-zero when the change fails')
    .argument('<file>', 'route map: the bulk apply body in JSON or YAML')
    .addOption(apiOption())
    .addOption(targetOption())
    .addOption(stageOption())
    .addOption(jsonOption())
    .addOption(new Option('--poll-ms <ms>', 'time between two polls of the change').default(1000).argParser(positiveInteger).hideHelp())
    .action(async (file: string, options) => setExitCode(await applyCommand(io, file, options)));

  program
    .command('drift')
    .description('Compare the live API with what Gatewire last applied')
    .addOption(apiOption())
    .addOption(targetOption())
    .addOption(jsonOption())
    .action(async (options) => setExitCode(await driftCommand(io, options)));

  program
    .command('audit')
    .description('List audit records, newest first (needs the admin scope)')
    .addOption(new Option('--api <id>', 'only changes to this API').argParser(apiId))
    .addOption(new Option('--target <name>', 'only changes in this target (`default`: the account and region Gatewire runs with)').argParser(targetName))
    .option('--route <key>', 'only changes to this route key')
    .addOption(new Option('--status <status>', 'only changes that ended so').choices(AUDIT_STATUSES))
    .addOption(new Option('--limit <n>', 'page size').default(50).argParser(positiveInteger))
    .option('--cursor <cursor>', 'the next page (printed at the end of a page)')
    .addOption(jsonOption())
    .action(async (options) => setExitCode(await auditCommand(io, options)));

  program
    .command('get')
    .description("Show one route's integration")
    .argument('<api>', 'the WebSocket API id', apiId)
    .argument('<route>', 'the route key, e.g. $connect or sendmessage')
    .addOption(targetOption())
    .addOption(jsonOption())
    .action(async (api: string, route: string, options) => setExitCode(await getCommand(io, api, route, options)));

  return program;
}

function apiOption(): Option {
  return new Option('--api <id>', 'the WebSocket API id').makeOptionMandatory().argParser(apiId);
}

function targetOption(): Option {
  return new Option('--target <name>', 'the target (account and region, GET /v1/targets) whose API it is; default: the account and region Gatewire runs with').argParser(
    targetName,
  );
}

/** A target name is a URL segment (the service's TARGET_NAME_PATTERN, domain/targets.ts; the CLI imports no server code). */
function targetName(value: string): string {
  if (!/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/.test(value)) {
    throw new InvalidArgumentError('a target name is 1-64 lowercase letters, digits and dashes, not starting or ending with a dash.');
  }
  return value;
}

function stageOption(): Option {
  return new Option('--stage <name>', 'deploy the API on this stage after the change (overrides the file\'s deployStage)').argParser((value) => {
    if (!/^[A-Za-z0-9_$-]{1,128}$/.test(value)) throw new InvalidArgumentError('a stage name is 1-128 letters, digits, _, $ or -.');
    return value;
  });
}

function jsonOption(): Option {
  return new Option('--json', "print the service's JSON document instead of text, for machines").default(false);
}

function apiId(value: string): string {
  if (!/^[a-z0-9]{1,32}$/.test(value)) throw new InvalidArgumentError('an API id is 1-32 lowercase letters and digits.');
  return value;
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('expected a whole number of at least 1.');
  return number;
}
