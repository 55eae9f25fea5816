/**
 * Every factory a public entry exports returns a type named after it and exported beside it:
 * `tokenBucket()` returns a `TokenBucket`, `metricsHandler()` a `MetricsHandler`. The functions
 * that return a shared type (every backoff returns a `Backoff`, every health check a
 * `HealthComponent`) or are not factories are listed below with the type they return, so a new
 * exported function fails here until it has a name for what it returns.
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const ENTRIES = ['index', 'testing/index', 'testing/arbitraries', 'http/index', 'config/index', 'prometheus/index', 'file-store/index', 'redis/index'];

/** Functions whose return type is not named after them: the type they return. */
const SHARED: Readonly<Record<string, string>> = {
  constant: 'Backoff',
  linear: 'Backoff',
  exponential: 'Backoff',
  fibonacci: 'Backoff',
  decorrelatedJitter: 'Backoff',
  healthCheck: 'HealthComponent',
  healthFromBreaker: 'HealthComponent',
  healthFromBulkhead: 'HealthComponent',
  healthFromStore: 'HealthComponent',
  fromConfig: 'ConfigRegistry',
  recoverWhen: 'Subscription',
  testScheduler: 'TestScheduler',
  watchBreakerLaws: 'LawWatcher',
  watchBulkheadLaws: 'LawWatcher',
  watchLimiterLaws: 'LimiterLawWatcher',
  breakerStrategyArb: 'fc.Arbitrary',
  breakerConfigArb: 'fc.Arbitrary',
  callCommandsArb: 'fc.Arbitrary',
  retryConfigArb: 'fc.Arbitrary',
  bulkheadConfigArb: 'fc.Arbitrary',
  rateLimitConfigArb: 'fc.Arbitrary',
  timeLimitConfigArb: 'fc.Arbitrary',
  hedgeConfigArb: 'fc.Arbitrary',
  cacheConfigArb: 'fc.Arbitrary',
  httpOutcomeArb: 'fc.Arbitrary',
  httpCommandsArb: 'fc.Arbitrary',
  // A source and a random generator: RxJS's and the platform's own types.
  fromAbortable: 'Observable',
  seededRandom: '() => number',
  // The testing kit's runner, watcher and readers.
  runScenario: 'ScenarioTimeline',
  timelineOf: 'ScenarioTimeline | undefined',
  watchLaws: 'PipelineLawWatcher',
  noPendingWork: 'readonly string[]',
  policiesOf: 'WatchedPolicy[]',
  descriptorOf: 'PolicyDescriptor | undefined',
  settingsOf: 'Readonly',
  httpCall: 'Extract',
  expectStates: 'void',
  expectEvents: 'void',
  isIgnoredOutcome: 'boolean',
  // Guards, readers and matchers: not factories.
  isQueued: 'value is Queued',
  isResilienceError: 'error is ResilienceErrorByCode[C]',
  findResilienceError: 'ResilienceErrorByCode[C] | undefined',
  isLocalRejection: 'error is ResilienceError',
  policyKind: 'PolicyKind | undefined',
  resilienceKind: 'ResilienceKind | undefined',
  isLegalBreakerTransition: 'boolean',
  observableMatcher: 'void',
  seriesNames: 'string[]',
};

const program = ts.createProgram(
  ENTRIES.map((entry) => `${SRC}${entry}.ts`),
  { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, skipLibCheck: true, noEmit: true, types: ['node'] },
);
const checker = program.getTypeChecker();
const resolve = (symbol: ts.Symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
const exportsOf = (entry: string) => checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(`${SRC}${entry}.ts`)!)!);

const functions = ENTRIES.flatMap((entry) => {
  const exported = exportsOf(entry);
  return exported
    .filter((symbol) => resolve(symbol).flags & ts.SymbolFlags.Function)
    .map((symbol) => {
      const declaration = resolve(symbol).declarations![0] as ts.FunctionDeclaration;
      const returns = declaration.type?.getText().replace(/<.*>$/s, '');
      const own = symbol.name[0]!.toUpperCase() + symbol.name.slice(1);
      return { entry, name: symbol.name, returns, own, exportsOwn: exported.some((s) => s.name === own && resolve(s).flags & ts.SymbolFlags.Type) };
    });
});

describe('named return types', () => {
  it('finds the functions of every entry', () => {
    expect(functions.map((f) => f.name)).toEqual(expect.arrayContaining(['circuitBreaker', 'tokenBucket', 'fallbackLadder', 'prometheusMetrics', 'metricsHandler', 'fileStore', 'sharedBreaker', 'scriptedService', 'fromConfig']));
  });

  it.each(functions.map((f) => [`${f.entry}: ${f.name}`, f] as const))('%s returns a type with a name a user can import', (_, f) => {
    expect(f.returns, 'a declared return type').toBeDefined();
    if (f.name in SHARED) {
      expect(f.returns).toBe(SHARED[f.name]);
    } else {
      expect(f.returns, `${f.name}() returns ${f.own}`).toBe(f.own);
      expect(f.exportsOwn, `${f.entry} exports the type ${f.own}`).toBe(true);
    }
  });
});
