/**
 * A real `redis-server` for tests: started on a free loopback port with no persistence (unless
 * `aof` asks for an append-only file), in a temporary directory, and stopped by `stop()`.
 * Readiness is awaited on the server's own log line, never on a sleep.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions as ClientOptions } from 'ioredis';

export interface RedisOptions {
  /** Keep an append-only file (kept across `restart()`). Default: no persistence at all. */
  readonly aof?: boolean;
  /** With `aof`: fsync every write or once a second. Default 'always'. */
  readonly appendfsync?: 'always' | 'everysec';
  /** The binary. Default `REDIS_SERVER` from the environment, else `redis-server`. */
  readonly binary?: string;
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** A new ioredis client on this server; `stop()` disconnects every client made here. */
  client(options?: ClientOptions): Redis;
  /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  /** Thaws a paused server (SIGCONT). */
  resume(): void;
  /**
   * Kills the server and starts a new one on the same port (same data directory). `whileDown`
   * runs (and is awaited) between the two, while nothing listens on the port.
   */
  restart(whileDown?: () => unknown): Promise<void>;
  /** Kills the server, disconnects the clients and removes the data directory. */
  stop(): Promise<void>;
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'rxr-redis-'));
  const clients = new Set<Redis>();
  const args = (port: number) => [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no',
    '--appendonly', options.aof === true ? 'yes' : 'no', '--appendfsync', options.appendfsync ?? 'always',
    '--enable-debug-command', 'local',
  ];
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 0; child === undefined; attempt++) {
    port = await freePort();
    try {
      child = await launch(options.binary ?? process.env.REDIS_SERVER ?? 'redis-server', args(port));
    } catch (error) {
      if (attempt >= 4) throw error; // the port was taken between the probe and the start
    }
  }
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    client(clientOptions: ClientOptions = {}) {
      const client = new Redis({ host: '127.0.0.1', port, ...clientOptions });
      client.on('error', () => undefined); // outages are the tests' subject: no log noise
      clients.add(client);
      return client;
    },
    pause: () => void child!.kill('SIGSTOP'),
    resume: () => void child!.kill('SIGCONT'),
    async restart(whileDown) {
      await kill(child!);
      await whileDown?.();
      child = await launch(options.binary ?? process.env.REDIS_SERVER ?? 'redis-server', args(port));
    },
    async stop() {
      for (const client of clients) client.disconnect();
      clients.clear();
      await kill(child!);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts the server; resolves once it logs that it accepts connections, rejects if it exits. */
function launch(binary: string, args: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Ready to accept connections')) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        child.off('exit', onExit);
        resolve(child);
      }
    };
    const onExit = (code: number | null) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${log}`));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.once('error', reject);
    child.once('exit', onExit);
  });
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
