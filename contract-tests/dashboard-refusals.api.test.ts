import { dropDatabase } from '@checkout-lab/kit';
import { testServerUrl, uniqueName } from '@checkout-lab/kit/testing';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { type RunningDashboard, startDashboard } from '@checkout-lab/dashboard';
import { expectJsonRefusals } from './src/client';

// The dashboard is a server of the lab like the shops: what Node's parser refuses answers the same JSON error shape.
describe('the lab dashboard refuses broken HTTP in the contract error shape', () => {
  const dbName = uniqueName('dash_errors');
  let dashboard: RunningDashboard;

  beforeAll(async () => {
    // The stacks are never called here: unused addresses are enough.
    dashboard = await startDashboard({
      monolithUrl: 'http://127.0.0.1:1',
      gatewayUrl: 'http://127.0.0.1:1',
      mailUiUrl: 'http://127.0.0.1:1',
      databaseUrl: testServerUrl(),
      dbName,
      page: 'vite',
    });
  });

  afterAll(async () => {
    await dashboard?.stop();
    await dropDatabase(testServerUrl(), dbName).catch(() => {});
  });

  test('when Node itself refuses a request (a malformed request line or header, 100 KB of headers), then JSON', async () => {
    await expectJsonRefusals(dashboard.url);
  });
});
