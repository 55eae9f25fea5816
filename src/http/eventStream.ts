/**
 * Server-sent events for dashboards: every open `/events` response holds one subscription to a
 * merged stream of state changes, plus a heartbeat comment on the scheduler. At most `maxStreams`
 * responses are open at once (more get 503). When a client goes away (the response closes), its
 * subscription, and with it the heartbeat action, is released at once.
 *
 * Backpressure: once `res.write()` returns false, frames for that client wait in its own queue
 * until `'drain'` (heartbeats are skipped meanwhile). A client whose unsent bytes (the queue plus
 * what Node holds for the socket) pass `maxBufferedBytes` is disconnected and its slot freed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { interval, map, merge, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { StateCell } from '../internal/cell.js';
import { sendJson, toJson } from './respond.js';

/** One server-sent event: `event` is its name, `data` is sent as JSON. */
export interface SseMessage {
  readonly event: string;
  readonly data: unknown;
}

export interface EventStreamLimits {
  readonly maxStreams: number;
  readonly heartbeat: number;
  readonly maxBufferedBytes: number;
}

interface Client {
  readonly res: ServerResponse;
  sub: Subscription | undefined;
  /** Frames waiting for `'drain'`, and their bytes. */
  readonly queue: string[];
  queued: number;
  blocked: boolean;
}

export class EventStreams {
  private readonly open = new Set<Client>();
  private readonly count = new StateCell(0);
  private closed = false;

  constructor(
    private readonly messages: () => Observable<SseMessage>,
    private readonly limits: EventStreamLimits,
    private readonly scheduler: SchedulerLike,
  ) {}

  /** Open streams now; replays, emits on change. */
  get open$(): Observable<number> {
    return this.count.changes$;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const { maxStreams, heartbeat } = this.limits;
    if (this.closed || this.open.size >= maxStreams) {
      sendJson(req, res, 503, { error: this.closed ? 'shutting down' : 'too many event streams', maxStreams }, { 'retry-after': '5' });
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const client: Client = { res, sub: undefined, queue: [], queued: 0, blocked: false };
    this.open.add(client);
    this.count.set(this.open.size);
    const release = () => this.release(client);
    res.once('close', release);
    // A write error (the peer reset the connection) only ends this client.
    res.on('error', release);
    res.on('drain', () => this.flush(client));
    this.send(client, 'retry: 5000\n\n');
    let id = 0;
    const heartbeats = interval(heartbeat, this.scheduler).pipe(map(() => undefined));
    client.sub = merge(this.messages(), heartbeats).subscribe({
      next: (message) => {
        try {
          if (message === undefined) {
            if (!client.blocked) this.send(client, ': heartbeat\n\n');
            return;
          }
          this.send(client, `id: ${++id}\nevent: ${message.event}\ndata: ${toJson(message.data)}\n\n`);
        } catch {
          // Nothing in a frame may end the process: a frame that cannot be sent ends this client.
          this.disconnect(client);
        }
      },
      error: () => res.end(),
      complete: () => res.end(),
    });
    // The client may have been released (or its response ended) while it was being subscribed.
    if (!this.open.has(client)) client.sub.unsubscribe();
    else if (res.writableEnded || res.destroyed) release();
  }

  /** Ends every open stream and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const client of [...this.open]) {
      this.release(client);
      client.res.end();
    }
    this.count.set(0);
  }

  /** Writes a frame, or queues it while the client is blocked; disconnects a client past the bound. */
  private send(client: Client, frame: string): void {
    const { res } = client;
    if (!this.open.has(client) || res.writableEnded || res.destroyed) return;
    if (client.blocked) {
      client.queue.push(frame);
      client.queued += Buffer.byteLength(frame);
    } else if (!res.write(frame)) {
      client.blocked = true;
    }
    if (client.queued + res.writableLength > this.limits.maxBufferedBytes) this.disconnect(client);
  }

  /** `'drain'`: writes queued frames until the socket pushes back again. */
  private flush(client: Client): void {
    client.blocked = false;
    if (!this.open.has(client)) return;
    let sent = 0;
    while (sent < client.queue.length && !client.blocked) {
      const frame = client.queue[sent++]!;
      client.queued -= Buffer.byteLength(frame);
      if (!client.res.write(frame)) client.blocked = true;
    }
    client.queue.splice(0, sent);
  }

  private disconnect(client: Client): void {
    this.release(client);
    client.res.destroy();
  }

  private release(client: Client): void {
    if (!this.open.delete(client)) return;
    client.sub?.unsubscribe();
    client.queue.length = 0;
    client.queued = 0;
    this.count.set(this.open.size);
  }
}
