import {
  createTestDatabase,
  type TestDatabase,
  type TestMail,
  startTestMailCatcher,
  testPaymentProvider,
} from '@checkout-lab/kit/testing';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { type RunningMonolith, startMonolith } from '@checkout-lab/monolith';
import { assertCheckoutProperty } from './src/checkout-property';
import { everyServiceExists, startTestMicroservices, type TestMicroservices } from './src/micro-stack';

// Random interleavings of concurrent checkouts, cart edits and retries (with and without the same Idempotency-Key) on
// each stack: never two orders of one cart, an oversell, or a second charge (contract-tests/src/checkout-property.ts).

describe('the checkout property, on the monolith', () => {
  const admin = { email: 'property.admin@checkout.lab', password: 'property-admin-pw' };
  let db: TestDatabase;
  let mail: TestMail;
  let monolith: RunningMonolith;

  beforeAll(async () => {
    db = await createTestDatabase('prop_mono');
    mail = await startTestMailCatcher();
    monolith = await startMonolith({
      databaseUrl: db.url,
      paymentProvider: testPaymentProvider(db.name),
      smtpPort: mail.smtpPort,
      mailUiUrl: mail.webUrl,
      admin,
      knobs: { payment_delay_ms: 40, email_delay_ms: 20, payment_failure_rate: 0 },
      logLevel: 'silent',
    });
  });

  afterAll(async () => {
    await monolith?.stop();
    await mail?.stop();
    await db?.drop();
  });

  test('when buyers race checkouts, cart edits and retries, then no cart is ordered twice, nothing is oversold and no order is charged twice', async () => {
    await assertCheckoutProperty({ stack: 'monolith', baseUrl: monolith.url, admin }, 12);
  });
});

describe.skipIf(!everyServiceExists)('the checkout property, on the microservices', () => {
  let micro: TestMicroservices;

  beforeAll(async () => {
    micro = await startTestMicroservices({ payment_delay_ms: 40, email_delay_ms: 20 });
  }, 180_000);

  afterAll(async () => {
    await micro?.stop();
  });

  test('when buyers race checkouts, cart edits and retries, then no cart is ordered twice, nothing is oversold and no order is charged twice', async () => {
    await assertCheckoutProperty({ stack: 'microservices', baseUrl: micro.stack.gatewayUrl, admin: micro.admin }, 8);
  });
});
