/**
 * The ts-pattern example of docs/fallback-cache-hedge.md (fallbackLadder), as written there but
 * with a scripted pricing client: it compiles (tsc checks this file) and runs down every rung.
 */
import { defer, of, throwError, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { cache, fallbackLadder, type Tagged } from 'rx-resilience';
import { match, P } from 'ts-pattern';

interface Service {
  readonly name: string;
  readonly hourly: number;
}
interface Prices {
  readonly region: string;
  readonly services: readonly Service[];
}

/** The docs' example from `const builtInPrices` on, around the `aws` client it declares. */
function example(aws: { pricing(region: string): Observable<Prices> }) {
  const builtInPrices: Prices = { region: 'us-east-1', services: [{ name: 'ec2', hourly: 0.0116 }] };
  const pricing = cache({ name: 'aws-pricing', ttl: 300_000, staleTtl: 3_300_000 });
  const ladder = fallbackLadder({
    cache: pricing,
    default: (_error, region) => (region === 'us-east-1' ? builtInPrices : undefined),
    degraded: { services: [] as Service[], limited: true as const },
  });
  const prices = ladder.wrap((region: string) => defer(() => aws.pricing(region)), (region) => region);

  const describePrices = (result: Tagged<Prices, Prices, { services: Service[]; limited: true }>): string =>
    match(result)
      .with({ source: P.union('primary', 'cache') }, ({ value }) => `${value.region}: ${value.services.length} services`)
      .with({ source: P.union('stale', 'default') }, ({ value, warnings }) => `${value.region} (${warnings.join('; ')})`)
      .with({ source: 'degraded' }, ({ value }) => `limited mode, ${value.services.length} services`)
      .exhaustive();

  return { prices, describePrices };
}

describe('docs: the fallback ladder with ts-pattern', () => {
  it('describes a primary value, a cached one, the default and degraded mode', () => {
    let up = false;
    const { prices, describePrices } = example({
      pricing: (region) => (up ? of({ region, services: [{ name: 'ec2', hourly: 0.0124 }, { name: 's3', hourly: 0.023 }] }) : throwError(() => new Error('pricing down'))),
    });
    const shown: string[] = [];
    const show = (region: string) => prices(region).subscribe((result) => shown.push(describePrices(result)));
    show('us-east-1');
    show('eu-west-1');
    up = true;
    show('eu-west-1');
    up = false;
    show('eu-west-1');
    expect(shown).toEqual([
      'us-east-1 (primary failed (Error: pricing down); served the default value)',
      'limited mode, 0 services',
      'eu-west-1: 2 services',
      'eu-west-1: 2 services',
    ]);
  });
});
