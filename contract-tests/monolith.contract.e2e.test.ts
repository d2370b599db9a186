import {
  createTestDatabase,
  type TestDatabase,
  type TestMail,
  startTestMailCatcher,
  testPaymentProvider,
} from '@checkout-lab/kit/testing';
import { afterAll, beforeAll, describe } from 'vitest';
import { type RunningMonolith, startMonolith } from '@checkout-lab/monolith';
import { type ContractTarget, registerContractSuite } from './src/contract-suite';

const SECRET = 'contract-monolith-secret';
const ADMIN = { email: 'contract.admin@checkout.lab', password: 'contract-admin-pw' };

describe('the contract, against the monolith', () => {
  let db: TestDatabase;
  let mail: TestMail;
  let monolith: RunningMonolith;

  beforeAll(async () => {
    db = await createTestDatabase('contract_mono');
    mail = await startTestMailCatcher();
    monolith = await startMonolith({
      databaseUrl: db.url,
      paymentProvider: testPaymentProvider(db.name),
      smtpPort: mail.smtpPort,
      mailUiUrl: mail.webUrl,
      jwtSecret: SECRET,
      admin: ADMIN,
      knobs: { payment_delay_ms: 30, email_delay_ms: 30, payment_failure_rate: 0 },
      logLevel: 'silent',
    });
  });

  afterAll(async () => {
    await monolith?.stop();
    await mail?.stop();
    await db?.drop();
  });

  registerContractSuite(
    (): ContractTarget => ({
      stack: 'monolith',
      baseUrl: monolith.url,
      admin: ADMIN,
      jwtSecret: SECRET,
      mailbox: mail.mailbox,
    }),
  );
});
