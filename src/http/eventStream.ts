/**
 * Server-sent events for dashboards: every open `/events` response holds one subscription to a
 * merged stream of state changes, plus a heartbeat comment on the scheduler. At most `maxStreams`
 * responses are open at once (more get 503). When a client goes away (the response closes), its
 * subscription, and with it the heartbeat action, is released at once.
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

export class EventStreams {
  private readonly open = new Set<{ res: ServerResponse; sub: Subscription }>();
  private readonly count = new StateCell(0);
  private closed = false;

  constructor(
    private readonly messages: () => Observable<SseMessage>,
    private readonly maxStreams: number,
    private readonly heartbeat: number,
    private readonly scheduler: SchedulerLike,
  ) {}

  /** Open streams now; replays, emits on change. */
  get open$(): Observable<number> {
    return this.count.changes$;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.closed || this.open.size >= this.maxStreams) {
      sendJson(req, res, 503, { error: this.closed ? 'shutting down' : 'too many event streams', maxStreams: this.maxStreams }, { 'retry-after': '5' });
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
    res.write('retry: 5000\n\n');
    let id = 0;
    const entry = { res, sub: undefined as unknown as Subscription };
    this.open.add(entry);
    this.count.set(this.open.size);
    const release = () => {
      if (!this.open.delete(entry)) return;
      entry.sub.unsubscribe();
      this.count.set(this.open.size);
    };
    res.once('close', release);
    const heartbeats = interval(this.heartbeat, this.scheduler).pipe(map(() => undefined));
    entry.sub = merge(this.messages(), heartbeats).subscribe({
      next: (message) => {
        if (res.writableEnded || res.destroyed) return;
        res.write(message === undefined ? ': heartbeat\n\n' : `id: ${++id}\nevent: ${message.event}\ndata: ${toJson(message.data)}\n\n`);
      },
      error: () => res.end(),
      complete: () => res.end(),
    });
    // The stream may have ended while it was being subscribed.
    if (res.writableEnded || res.destroyed) release();
  }

  /** Ends every open stream and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const entry of [...this.open]) {
      entry.sub.unsubscribe();
      entry.res.end();
    }
    this.open.clear();
    this.count.set(0);
  }
}
