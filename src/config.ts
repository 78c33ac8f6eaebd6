// Configuration from the environment (DESIGN §7), validated once at start-up. One error names
// every bad variable. Only the two entry points call loadConfig; everything else receives Config.
import envSchema from 'env-schema';
import { Type, type Static } from 'typebox';

const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  AWS_REGION: Type.String({ pattern: '^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\\d$', default: 'us-east-1' }),
  AWS_ENDPOINT_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  GATEWIRE_AUDIT_URL: Type.String({ pattern: '^(sqlite:|postgres(ql)?://)', default: 'sqlite:./data/audit.db' }),
  GATEWIRE_PERMISSION_SCOPE: Type.Enum(['api', 'route'], { default: 'api' }),
  GATEWIRE_AWS_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 10, default: 4 }),
  GATEWIRE_AWS_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 10_000 }),
  GATEWIRE_BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 10 * 1024 * 1024, default: 1024 * 1024 }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
});

type RawConfig = Static<typeof ConfigSchema>;

export interface Config {
  port: number;
  host: string;
  region: string;
  awsEndpoint: string | undefined;
  auditUrl: string;
  permissionScope: 'api' | 'route';
  awsMaxAttempts: number;
  awsTimeoutMs: number;
  bodyLimitBytes: number;
  logLevel: RawConfig['LOG_LEVEL'];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined>): Readonly<Config> {
  // Empty strings mean "unset" (as `FOO= npm start` does), so that defaults apply.
  const data = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  let raw: RawConfig;
  try {
    raw = envSchema<RawConfig>({ schema: ConfigSchema as never, data, env: false });
  } catch (error) {
    const errors = (error as { errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] })
      .errors;
    if (!errors) throw error;
    const problems = errors.map((entry) => {
      const variable = entry.instancePath.replace(/^\//, '') || String(entry.params?.missingProperty ?? '');
      const allowed = entry.params?.allowedValues as unknown[] | undefined;
      return `${variable} ${entry.message ?? 'is invalid'}${allowed ? ` (${allowed.join(', ')})` : ''}`;
    });
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`, { cause: error });
  }
  return Object.freeze({
    port: raw.PORT,
    host: raw.HOST,
    region: raw.AWS_REGION,
    awsEndpoint: raw.AWS_ENDPOINT_URL,
    auditUrl: raw.GATEWIRE_AUDIT_URL,
    permissionScope: raw.GATEWIRE_PERMISSION_SCOPE,
    awsMaxAttempts: raw.GATEWIRE_AWS_MAX_ATTEMPTS,
    awsTimeoutMs: raw.GATEWIRE_AWS_TIMEOUT_MS,
    bodyLimitBytes: raw.GATEWIRE_BODY_LIMIT_BYTES,
    logLevel: raw.LOG_LEVEL,
  });
}
