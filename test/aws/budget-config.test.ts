// The budget's settings (issue 15; README's configuration table): defaults, and bad values named.
import t from 'tap';
import { loadConfig } from '../../src/config.js';

t.test('defaults: shared among instances, 1 s heartbeat, reads wait 2 s at most and reuse answers 2 s old', async (t) => {
  t.same(loadConfig({}).awsBudget, { shared: true, heartbeatMs: 1_000, readWaitMs: 2_000, readCacheMs: 2_000 });
});

t.test('each setting is read (0: no cache, and a read never waits for the budget)', async (t) => {
  const config = loadConfig({
    GATEWIRE_SHARED_BUDGET: 'off',
    GATEWIRE_BUDGET_HEARTBEAT_MS: '250',
    GATEWIRE_READ_WAIT_MS: '0',
    GATEWIRE_READ_CACHE_MS: '0',
  });
  t.same(config.awsBudget, { shared: false, heartbeatMs: 250, readWaitMs: 0, readCacheMs: 0 });
});

t.test('bad values are named', async (t) => {
  t.throws(
    () => loadConfig({ GATEWIRE_SHARED_BUDGET: 'maybe', GATEWIRE_BUDGET_HEARTBEAT_MS: '10', GATEWIRE_READ_WAIT_MS: '-1', GATEWIRE_READ_CACHE_MS: 'soon' }),
    { name: 'ConfigError', message: /GATEWIRE_SHARED_BUDGET.*GATEWIRE_BUDGET_HEARTBEAT_MS.*GATEWIRE_READ_WAIT_MS.*GATEWIRE_READ_CACHE_MS/s },
  );
});
