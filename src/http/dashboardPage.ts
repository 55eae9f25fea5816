/**
 * The dashboard page: one HTML document with its style and script inline, drawing with inline SVG
 * and the DOM (no library, no font, no image, nothing from another origin). Its only connection is
 * the `/events` stream. Every value from the stream is written with `textContent`, never as HTML.
 *
 * The script below is a string that runs in the viewer's browser, not in the library: its
 * `Date.now()`, `setTimeout` and `setInterval` are the page's own wall clock (when an event arrived,
 * when to reconnect, when to redraw), outside every policy and its scheduler.
 */

export const STYLE = `
:root { font: 14px/1.4 system-ui, sans-serif; color: #1d2330; background: #f4f6f9; }
body { margin: 0; }
header { display: flex; gap: 1em; align-items: center; padding: .6em 1em; color: #fff; background: #2e7d32; }
header[data-mode="DEGRADED"] { background: #ef6c00; } header[data-mode="EMERGENCY"] { background: #c62828; }
header h1 { font-size: 1.1em; margin: 0; flex: 1; } #mode { font-weight: 700; } #reasons { opacity: .9; }
#conn { padding: .1em .6em; border-radius: 1em; background: rgba(0,0,0,.25); }
#conn[data-state="disconnected"] { background: #000; color: #ffeb3b; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 1em; padding: 1em; }
section { background: #fff; border-radius: 6px; padding: .8em 1em; box-shadow: 0 1px 2px rgba(0,0,0,.12); }
h2 { font-size: 1em; margin: 0 0 .5em; } h3 { font-size: .95em; margin: .6em 0 .2em; }
table { border-collapse: collapse; width: 100%; } td { padding: .15em .3em; border-top: 1px solid #eceff3; }
.s-closed, .s-healthy { color: #2e7d32; } .s-open, .s-unhealthy, .s-isolated { color: #c62828; }
.s-half-open, .s-degraded { color: #ef6c00; } .s-disabled { color: #1565c0; }
.bar { height: .7em; background: #eceff3; border-radius: .35em; overflow: hidden; } .bar > div { height: 100%; background: #1565c0; }
.muted { color: #6b7280; } ul { list-style: none; margin: 0; padding: 0; max-height: 24em; overflow: auto; font-size: .9em; }
svg { width: 100%; height: 24px; display: block; }
`;

export const SCRIPT = `
'use strict';
const COLORS = { closed: '#2e7d32', open: '#c62828', 'half-open': '#ef6c00', isolated: '#6a1b9a', disabled: '#1565c0' };
const MAX_EVENTS = 50;
const WINDOW_MS = 10 * 60 * 1000;
const params = new URLSearchParams(location.search);
const source = new URL(params.get('source') || document.body.dataset.events, location.href);
const model = { lastId: 0, health: undefined, mode: undefined, policies: new Map(), breakers: new Map(), events: [] };
const $ = (id) => document.getElementById(id);
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}
const pct = (x) => (typeof x === 'number' && isFinite(x) ? (x * 100).toFixed(1) + ' %' : '–');
const num = (x) => (typeof x === 'number' && isFinite(x) ? (Math.round(x * 10) / 10).toString() : '–');
function bar(value, max) {
  const share = max > 0 && isFinite(max) ? Math.max(0, Math.min(1, value / max)) : 0;
  const fill = el('div', {});
  fill.style.width = (share * 100).toFixed(1) + '%'; // CSSOM, which the page's policy allows (a style attribute it would not)
  return el('div', { class: 'bar', title: value + ' / ' + max }, fill);
}

function breaker(name) {
  let b = model.breakers.get(name);
  if (!b) model.breakers.set(name, (b = { segments: [] }));
  return b;
}
function enter(name, state, at) {
  const b = breaker(name);
  const last = b.segments[b.segments.length - 1];
  if (last && last.state === state) return;
  if (last) last.end = at;
  b.segments.push({ state, start: at, end: undefined });
}

function handle(event, data, id) {
  const now = Date.now();
  if (event === 'health') model.health = data;
  else if (event === 'mode') model.mode = data;
  else if (event === 'stats') {
    model.policies.set(data.policy, data);
    if (data.kind === 'circuit-breaker' && data.stats) enter(data.policy, data.stats.state, now);
  } else if (event === 'breaker') {
    if (breaker(data.policy).segments.length === 0) enter(data.policy, data.from, now);
    enter(data.policy, data.to, now);
  }
  if (event === 'stats') return; // a snapshot, not an event
  model.events.unshift({ id, event, text: summary(event, data), at: new Date(now).toLocaleTimeString() });
  model.events.length = Math.min(model.events.length, MAX_EVENTS);
}
function summary(event, d) {
  switch (event) {
    case 'health': return 'health ' + d.status;
    case 'mode': return 'mode ' + d.mode + (d.reasons && d.reasons.length ? ': ' + d.reasons.map((r) => r.reason).join('; ') : '');
    case 'transition': return d.component + ' ' + (d.from || 'new') + ' → ' + d.to;
    case 'breaker': return d.policy + ' ' + d.from + ' → ' + d.to;
    default: return event;
  }
}

function renderMode() {
  const m = model.mode;
  const header = document.querySelector('header');
  header.dataset.mode = m ? m.mode : 'NORMAL';
  $('mode').textContent = m ? m.mode : 'no mode';
  $('reasons').textContent = m && m.reasons.length ? m.reasons.map((r) => r.reason).join('; ') : '';
}
function renderHealth() {
  const h = model.health;
  const rows = h ? Object.entries(h.components).map(([n, s]) => el('tr', {}, el('td', {}, n), el('td', { class: 's-' + s }, s))) : [];
  for (const n of h ? h.pending : []) rows.push(el('tr', {}, el('td', {}, n), el('td', { class: 'muted' }, 'pending')));
  $('health').replaceChildren(el('p', {}, 'overall: ', el('b', { class: 's-' + (h ? h.status : '') }, h ? h.status : '–')), el('table', {}, ...rows));
}
function timeline(name, b) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 1000 24');
  svg.setAttribute('preserveAspectRatio', 'none');
  const end = Date.now();
  const start = Math.max(b.segments.length ? b.segments[0].start : end, end - WINDOW_MS);
  const span = Math.max(1, end - start);
  for (const s of b.segments) {
    const x0 = Math.max(0, ((s.start - start) / span) * 1000);
    const x1 = Math.max(x0 + 3, (((s.end === undefined ? end : s.end) - start) / span) * 1000);
    const r = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
    for (const [k, v] of Object.entries({ x: x0, y: 0, width: x1 - x0, height: 24, fill: COLORS[s.state] || '#999' })) r.setAttribute(k, String(v));
    const t = document.createElementNS('http://www.w3.org/2000/svg', 'title');
    t.textContent = s.state;
    r.append(t);
    svg.append(r);
  }
  const states = b.segments.map((s) => s.state);
  return el('div', { 'data-testid': 'timeline-' + name, 'data-states': states.join(',') }, svg, el('div', { class: 'muted' }, states.join(' → ')));
}
function latency(l) {
  if (!l || typeof l !== 'object') return [];
  return [el('div', {}, 'latency ms: p50 ' + num(l.p50) + ' · p90 ' + num(l.p90) + ' · p99 ' + num(l.p99) + ' · max ' + num(l.max) + ' (' + num(l.count) + ' calls)')];
}
function policyView(p) {
  const s = p.stats || {};
  const parts = [el('h3', {}, p.policy + ' ', el('span', { class: 'muted' }, p.kind))];
  if (p.kind === 'circuit-breaker') {
    parts.push(el('div', {}, 'state ', el('b', { class: 's-' + s.state }, s.state), ' · failure rate ' + pct(s.failureRate) + ' · slow ' + pct(s.slowCallRate) + ' · rejected ' + num(s.rejected)));
    if (s.totals) parts.push(el('div', {}, 'successes ' + num(s.totals.successes) + ' · failures ' + num(s.totals.failures)));
    if (s.lastTrip) parts.push(el('div', { class: 'muted' }, 'last trip: failure rate ' + pct(s.lastTrip.failureRate) + ', slow ' + pct(s.lastTrip.slowCallRate)));
    parts.push(timeline(p.policy, breaker(p.policy)));
  } else if ('active' in s && 'limit' in s) {
    parts.push(el('div', {}, 'occupancy ' + num(s.active) + ' / ' + num(s.limit) + ' · queued ' + num(s.queued) + ' / ' + (s.maxQueued === null || s.maxQueued === 'Infinity' ? '∞' : num(s.maxQueued))), bar(s.active, s.limit));
  } else if ('remaining' in s && 'limit' in s) {
    parts.push(el('div', {}, 'tokens ' + num(s.remaining) + ' / ' + num(s.limit) + ' · waiting ' + num(s.waiting)), bar(s.remaining, s.limit));
  } else if (p.kind === 'retry') {
    const gaveUp = Object.entries(s).filter(([k]) => k.startsWith('give-up:')).map(([k, v]) => k.slice(8) + ' ' + v).join(', ');
    parts.push(el('div', {}, 'retries ' + num(s.retry || 0) + ' · successes ' + num(s.success || 0) + ' · give-ups ' + num(s['give-up'] || 0) + (gaveUp ? ' (' + gaveUp + ')' : '')));
  } else {
    parts.push(el('div', {}, Object.entries(s).filter(([, v]) => typeof v === 'number').map(([k, v]) => k + ' ' + num(v)).join(' · ')));
  }
  parts.push(...latency(s.latency));
  return el('div', { 'data-testid': 'policy-' + p.policy }, ...parts);
}
function renderPolicies() {
  $('policies').replaceChildren(...[...model.policies.values()].map(policyView));
}
function renderEvents() {
  $('events').replaceChildren(...model.events.map((e) => el('li', { 'data-id': e.id }, el('span', { class: 'muted' }, '#' + e.id + ' ' + e.at + ' '), e.text)));
}
let pending = false;
function render() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    renderMode(); renderHealth(); renderPolicies(); renderEvents();
  });
}

let es;
function status(state, text) {
  $('conn').dataset.state = state;
  $('conn').textContent = text;
}
function connect() {
  const url = new URL(source);
  if (model.lastId > 0) url.searchParams.set('lastEventId', String(model.lastId));
  es = new EventSource(url);
  es.onopen = () => status('connected', 'live');
  es.onerror = () => {
    status('disconnected', 'disconnected, reconnecting…');
    // The browser retries by itself (sending Last-Event-ID) unless the stream failed for good.
    if (es.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
  };
  for (const name of ['health', 'mode', 'transition', 'stats', 'breaker']) {
    es.addEventListener(name, (m) => {
      const id = Number(m.lastEventId);
      if (id <= model.lastId) return;
      model.lastId = id;
      handle(name, JSON.parse(m.data), id);
      render();
    });
  }
}
status('disconnected', 'connecting…');
connect();
setInterval(render, 1000);
`;

/** The whole page; `eventsUrl` is where it connects unless the page's `?source=` says otherwise. */
export function page(eventsUrl: string): string {
  const attr = eventsUrl.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rx-resilience dashboard</title>
<style>${STYLE}</style>
</head>
<body data-events="${attr}">
<header data-mode="NORMAL"><h1>rx-resilience</h1><span id="mode">…</span><span id="reasons"></span><span id="conn"></span></header>
<main>
<section><h2>Health</h2><div id="health"></div></section>
<section><h2>Policies</h2><div id="policies"></div></section>
<section><h2>Last events</h2><ul id="events"></ul></section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
