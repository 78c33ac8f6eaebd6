// DynamoDB for tests: dynalite (an implementation of DynamoDB's API on an in-memory LevelDB),
// in-process on 127.0.0.1:0, behind a TCP relay that tests can stop and start again to take
// "DynamoDB" away mid-run and bring it back with its data (dynalite's own close() drops its data).
import { randomBytes } from 'node:crypto';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import dynalite from 'dynalite';
import { openDynamoDbAudit, type DynamoDbAudit, type OpenDynamoDbOptions } from '../../src/audit/dynamodb.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export const DYNALITE_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };
export const DYNALITE_REGION = 'us-east-1';

export interface Dynalite {
  /** The endpoint to give the SDK (AWS_ENDPOINT_URL_DYNAMODB). */
  endpoint: string;
  /** Stops answering: open connections are cut, new ones refused. */
  stop(): Promise<void>;
  /** Answers again on the same port, with the data it had. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startDynalite(t: Teardown): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const target = (server.address() as AddressInfo).port;

  const sockets = new Set<Socket>();
  let relay: Server | undefined;
  let port = 0;
  const listen = async () => {
    relay = createServer((socket) => {
      const upstream = connect(target, '127.0.0.1');
      sockets.add(socket).add(upstream);
      const forget = () => {
        sockets.delete(socket);
        sockets.delete(upstream);
        socket.destroy();
        upstream.destroy();
      };
      socket.on('error', forget).on('close', forget);
      upstream.on('error', forget).on('close', forget);
      socket.pipe(upstream).pipe(socket);
    });
    await new Promise<void>((resolve) => relay!.listen(port, '127.0.0.1', () => resolve()));
    port = (relay.address() as AddressInfo).port;
  };
  await listen();

  const stop = async () => {
    const closing = new Promise<void>((resolve) => (relay ? relay.close(() => resolve()) : resolve()));
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await closing;
    relay = undefined;
  };
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= stop().then(() => new Promise<void>((resolve) => server.close(() => resolve()))));
  t.teardown(close);
  return { endpoint: `http://127.0.0.1:${port}`, stop, start: listen, close };
}

/** A fresh table prefix: each store in a test gets tables of its own. */
export function uniquePrefix(label: string): string {
  return `gw-${label}-${randomBytes(4).toString('hex')}`;
}

/** Opens the DynamoDB audit store on `dynalite` with its own fresh tables (createTables=true). */
export async function openDynaliteAudit(
  t: Teardown,
  dynamo: Dynalite,
  label: string,
  options: Partial<OpenDynamoDbOptions> = {},
): Promise<DynamoDbAudit & { url: string }> {
  const url = `dynamodb://${uniquePrefix(label)}?createTables=true`;
  const audit = await openDynamoDbAudit(url, {
    region: DYNALITE_REGION,
    endpoint: dynamo.endpoint,
    credentials: DYNALITE_CREDENTIALS,
    ...options,
  });
  t.teardown(() => audit.close());
  return { ...audit, url };
}
