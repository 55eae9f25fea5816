/** The dashboard page as served: one self-contained document, its CSP, the standalone handler and the option. */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualTimeScheduler } from 'rxjs';
import { ConfigError, healthMonitor } from 'rx-resilience';
import { dashboard, healthEndpoints, type HealthEndpoints } from 'rx-resilience/http';
import { fetchText, serveOn, type Served } from './sse.js';

let endpoints: HealthEndpoints | undefined;
let served: Served | undefined;
afterEach(async () => {
  endpoints?.close();
  await served?.stop();
  endpoints = served = undefined;
});

describe('dashboard()', () => {
  it('serves one page with nothing from another origin: no src or href attributes, a CSP that allows only its inline style and script', async () => {
    served = await serveOn(dashboard());
    const answer = await fetchText(served.port, '/dashboard');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = answer.headers['content-security-policy'] as string;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'sha256-[^']+'(;|$)/);
    expect(csp).toMatch(/style-src 'sha256-[^']+'(;|$)/);
    expect(answer.text).not.toMatch(/\s(src|href)=/i);
    expect(answer.text).not.toMatch(/@import|url\(/); // CSS url() (the script's new URL() is not a load)
    expect(answer.text).toContain('data-events="events"');
    expect((await fetchText(served.port, '/dashboard', {}, 'HEAD')).text).toBe('');
    expect((await fetchText(served.port, '/dashboard', {}, 'POST')).status).toBe(405);
    expect((await fetchText(served.port, '/other')).status).toBe(404);
  });

  it('hands other paths to next, takes its path and events URL (escaped into the page), and refuses bad config', async () => {
    const page = dashboard({ path: '/ops/ui', events: 'http://ops.example:9464/events?a=1&b="2"' });
    served = await serveOn((req, res) => page(req, res, () => res.writeHead(418).end()));
    const answer = await fetchText(served.port, '/ops/ui?x=1');
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('data-events="http://ops.example:9464/events?a=1&amp;b=&quot;2&quot;"');
    expect((await fetchText(served.port, '/dashboard')).status).toBe(418);
    for (const config of [{ path: 'ui' }, { events: '' }, { events: 'a b' }, { paht: '/x' }]) expect(() => dashboard(config as never), JSON.stringify(config)).toThrow(ConfigError);
  });

  it('healthEndpoints({ dashboard: true }) serves it beside the routes, under basePath; without it /dashboard is 404', async () => {
    endpoints = healthEndpoints({ monitor: healthMonitor({ components: [] }), basePath: '/ops', dashboard: true, scheduler: new VirtualTimeScheduler() });
    served = await serveOn(endpoints);
    const answer = await fetchText(served.port, '/ops/dashboard');
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('<title>rx-resilience dashboard</title>');
    await served.stop();
    endpoints.close();
    endpoints = healthEndpoints({ monitor: healthMonitor({ components: [] }) });
    served = await serveOn(endpoints);
    expect((await fetchText(served.port, '/dashboard')).status).toBe(404);
    expect(() => healthEndpoints({ monitor: healthMonitor({ components: [] }), dashboard: 'yes' as never })).toThrow(ConfigError);
  });
});
