/**
 * Server-sent events for dashboards. One subscription to the merged stream of state changes (the
 * hub) starts with the first client and lasts until `close()`: it numbers every event (`id:`,
 * strictly increasing for the life of the handler), keeps the last `replay` frames, and the latest
 * frame of each state (health, mode, each policy's stats, each extra stream), and writes each frame
 * to every open client. A client that reconnects with `Last-Event-ID` gets the frames it missed
 * (exactly those after that id) when they are all still kept, else the latest frame of every
 * state, as a new client does; then the live stream. Each client has its own heartbeat comment on
 * the scheduler. At most `maxStreams` responses are open at once (more get 503). When a client goes
 * away (the response closes), its heartbeat action is released at once.
 *
 * Backpressure: once `res.write()` returns false, frames for that client wait in its own queue
 * until `'drain'` (heartbeats are skipped meanwhile). A client whose unsent bytes (the queue plus
 * what Node holds for the socket) pass `maxBufferedBytes` is disconnected and its slot freed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { interval, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { StateCell } from '../internal/cell.js';
import { sendJson, toJson } from './respond.js';

/** One server-sent event: `event` is its name, `data` is sent as JSON; `state` keys the latest value a new client gets. */
export interface SseMessage {
  readonly event: string;
  readonly data: unknown;
  readonly state?: string;
}

export interface EventStreamLimits {
  readonly maxStreams: number;
  readonly heartbeat: number;
  readonly maxBufferedBytes: number;
  /** Frames kept for clients that reconnect with `Last-Event-ID`. */
  readonly replay: number;
}

interface Frame {
  readonly id: number;
  readonly text: string;
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
  private hub: Subscription | undefined = undefined;
  private lastId = 0;
  /** The last `replay` frames, oldest first. */
  private readonly kept: Frame[] = [];
  /** The latest frame of each state, for clients that start from nothing. */
  private readonly latest = new Map<string, Frame>();

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
    if (this.hub === undefined) {
      // The first client (or the first after the streams ended): its frames come live from the hub.
      this.startHub();
    } else {
      // The header is what an EventSource sends on its own reconnects; a page that opens a new
      // EventSource after a failed one can only say it in the query (`?lastEventId=`).
      const lastEventId = req.headers['last-event-id'] ?? new URLSearchParams(req.url?.split('?')[1] ?? '').get('lastEventId') ?? undefined;
      for (const frame of this.missed(lastEventId)) this.send(client, frame.text);
    }
    if (!this.open.has(client)) return;
    client.sub = interval(heartbeat, this.scheduler).subscribe(() => {
      if (!client.blocked) this.send(client, ': heartbeat\n\n');
    });
    // The client may have been released (or its response ended) while it was being subscribed.
    if (!this.open.has(client)) client.sub.unsubscribe();
    else if (res.writableEnded || res.destroyed) release();
  }

  /**
   * What a client that saw every frame up to `lastEventId` missed: the kept frames after it when
   * none of them has been dropped since; else (no id, an id not of this handler, or too old) the
   * latest frame of each state, in id order.
   */
  private missed(lastEventId: string | string[] | undefined): readonly Frame[] {
    const seen = typeof lastEventId === 'string' && /^\d{1,15}$/.test(lastEventId.trim()) ? Number(lastEventId.trim()) : undefined;
    const oldest = this.kept[0]?.id ?? this.lastId + 1;
    if (seen !== undefined && seen <= this.lastId && seen >= oldest - 1) return this.kept.filter((f) => f.id > seen);
    return [...this.latest.values()].sort((a, b) => a.id - b.id);
  }

  private startHub(): void {
    const end = () => {
      // The streams ended: end every client; the next client subscribes them again.
      this.hub = undefined;
      for (const client of [...this.open]) {
        this.release(client);
        client.res.end();
      }
    };
    let ended = false;
    const hub = this.messages().subscribe({
      next: (message) => this.publish(message),
      error: () => {
        ended = true;
        end();
      },
      complete: () => {
        ended = true;
        end();
      },
    });
    if (!ended) this.hub = hub;
  }

  /** Numbers a message, keeps it, and writes it to every open client. */
  private publish(message: SseMessage): void {
    const id = ++this.lastId;
    const frame: Frame = { id, text: `id: ${id}\nevent: ${message.event}\ndata: ${toJson(message.data)}\n\n` };
    if (this.limits.replay > 0) {
      this.kept.push(frame);
      if (this.kept.length > this.limits.replay) this.kept.shift();
    }
    if (message.state !== undefined) {
      this.latest.delete(message.state);
      this.latest.set(message.state, frame);
    }
    for (const client of [...this.open]) {
      try {
        this.send(client, frame.text);
      } catch {
        // Nothing in a frame may end the process: a frame that cannot be sent ends this client.
        this.disconnect(client);
      }
    }
  }

  /** Ends every open stream, the hub with them, and refuses new ones. */
  close(): void {
    this.closed = true;
    this.hub?.unsubscribe();
    this.hub = undefined;
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
