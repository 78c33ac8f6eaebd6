// A TCP proxy in front of a server (PostgreSQL in the store-outage tests), with the failures a
// network or a failover brings: `cut()` destroys every connection and refuses new ones,
// `blackhole()` keeps sockets open but lets no byte through either way (a half-open peer), and
// `restore()` goes back to forwarding.
import net from 'node:net';

export type ProxyMode = 'forward' | 'cut' | 'blackhole';

export interface TcpProxy {
  /** 127.0.0.1 port the proxy listens on. */
  port: number;
  mode(): ProxyMode;
  /** Destroys every open connection (both sides) and refuses new ones until restore(). */
  cut(): void;
  /** From now on no byte passes, in either direction, on open or new connections; nothing is closed. */
  blackhole(): void;
  /** Forward again (connections cut stay cut; blackholed ones stay silent until they are closed). */
  restore(): void;
  /** Connections accepted so far (a proof that the client went through the proxy). */
  accepted(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = 'forward';
  let accepted = 0;
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; silenced: boolean }>();
  const server = net.createServer((client) => {
    accepted += 1;
    if (mode === 'cut') {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    const pair = { client, upstream, silenced: mode === 'blackhole' };
    pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (!pair.silenced) to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    mode: () => mode,
    cut() {
      mode = 'cut';
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      pairs.clear();
    },
    blackhole() {
      mode = 'blackhole';
      for (const pair of pairs) pair.silenced = true;
    },
    restore() {
      mode = 'forward';
    },
    accepted: () => accepted,
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
