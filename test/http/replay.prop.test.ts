/**
 * Replay as a property: whatever a client misses while away, reconnecting with `Last-Event-ID`
 * gives it exactly the frames an always-connected client saw after that id, when no more than
 * `replay` were sent meanwhile; otherwise the latest frame of each state. Driven on fake
 * responses (no sockets), over random sequences of events, drops and reconnects.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fc, test } from '@fast-check/vitest';
import { Subject, VirtualTimeScheduler } from 'rxjs';
import { expect } from 'vitest';
import { EventStreams, type SseMessage } from '../../src/http/eventStream.js';

class FakeResponse extends EventEmitter {
  text = '';
  writableEnded = false;
  destroyed = false;
  writableLength = 0;
  headersSent = false;
  writeHead() {
    this.headersSent = true;
    return this;
  }
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
  end() {
    this.writableEnded = true;
    this.emit('close');
  }
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
  /** The id, event and data of each frame. */
  frames() {
    return [...this.text.matchAll(/id: (\d+)\nevent: (.*)\ndata: (.*)\n\n/g)].map((m) => ({ id: Number(m[1]), event: m[2]!, data: m[3]! }));
  }
}

const connect = (streams: EventStreams, lastEventId?: number) => {
  const res = new FakeResponse();
  const headers = lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) };
  streams.handle({ method: 'GET', url: '/events', headers } as unknown as IncomingMessage, res as unknown as ServerResponse);
  return res;
};

const step = fc.oneof(
  fc.record({ kind: fc.constant('state' as const), key: fc.constantFrom('health', 'mode', 'stats:a'), value: fc.integer() }),
  fc.record({ kind: fc.constant('event' as const), value: fc.integer() }),
  fc.constant({ kind: 'drop' as const }),
  fc.constant({ kind: 'reconnect' as const }),
);

test.prop([fc.integer({ min: 0, max: 8 }), fc.array(step, { maxLength: 60 })])('a reconnecting client sees what an always-connected client saw, or the latest states', (replay, steps) => {
  const source = new Subject<SseMessage>();
  const streams = new EventStreams(() => source, { maxStreams: 10, heartbeat: 1e9, maxBufferedBytes: 1e9, replay }, new VirtualTimeScheduler());
  const always = connect(streams);
  let flaky: FakeResponse | undefined = connect(streams);
  let lastSeen = 0;
  let missed = 0;
  const seen: ReturnType<FakeResponse['frames']> = [];
  const latest = new Map<string, { id: number; event: string; data: string }>();
  let sent = 0;
  for (const s of steps) {
    if (s.kind === 'state' || s.kind === 'event') {
      const message: SseMessage = s.kind === 'state' ? { event: s.key.split(':')[0]!, state: s.key, data: s.value } : { event: 'transition', data: s.value };
      source.next(message);
      sent++;
      if (s.kind === 'state') latest.set(s.key, { id: sent, event: message.event, data: JSON.stringify(s.value) });
      if (flaky === undefined) missed++;
    } else if (s.kind === 'drop' && flaky !== undefined) {
      seen.push(...flaky.frames());
      expect(seen).toEqual(always.frames().filter((f) => f.id > lastSeen));
      lastSeen = sent;
      flaky.emit('close');
      flaky = undefined;
      missed = 0;
    } else if (s.kind === 'reconnect' && flaky === undefined) {
      flaky = connect(streams, lastSeen);
      const got = flaky.frames();
      if (missed > replay) {
        // A fresh start: the latest frame of each state, in id order (none when nothing was sent).
        expect(got).toEqual([...latest.values()].sort((a, b) => a.id - b.id));
      } else {
        expect(got).toEqual(always.frames().filter((f) => f.id > lastSeen));
      }
      flaky.text = '';
      // From here on it follows the live stream as the always-connected client does.
      seen.length = 0;
      lastSeen = sent;
    }
  }
  const ids = always.frames().map((f) => f.id);
  expect(ids).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
  if (flaky !== undefined) expect(flaky.frames()).toEqual(always.frames().filter((f) => f.id > lastSeen));
  streams.close();
  expect(source.observed).toBe(false);
});
