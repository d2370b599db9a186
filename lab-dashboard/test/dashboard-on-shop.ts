import { DEFAULT_ADMIN, type Knobs } from '@checkout-lab/kit';
import { testServerUrl } from '@checkout-lab/kit/testing';
import { startTestShop, type TestShop } from '@checkout-lab/stacks/testing';
import { type RunningDashboard, startDashboard } from '../server/server';

export interface DashboardOnShop {
  shop: TestShop;
  dashboard: RunningDashboard;
  /** The lab admin's session cookie (`lab_session=...`), for the changes the lab API guards. */
  cookie: string;
}

/**
 * A real monolith of the test's own and the dashboard in this process in front of it, logged in as the lab admin.
 * The microservices are not started: the gateway's half answers 502 (or a lesson finds nobody there).
 */
export async function startDashboardOnShop(dbName: string, knobs?: Partial<Knobs>): Promise<DashboardOnShop> {
  const shop = await startTestShop(knobs ? { knobs } : {});
  const dashboard = await startDashboard({
    monolithUrl: shop.monolith.url,
    gatewayUrl: 'http://127.0.0.1:1',
    mailUiUrl: shop.mail.webUrl,
    databaseUrl: testServerUrl(),
    dbName,
    page: 'vite',
  });
  const login = await fetch(`${dashboard.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: dashboard.url },
    body: JSON.stringify({ email: DEFAULT_ADMIN.email, password: DEFAULT_ADMIN.password }),
  });
  return { shop, dashboard, cookie: login.headers.get('set-cookie')?.split(';')[0] ?? '' };
}
