import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectJsonRefusals } from './src/client';
import { type ContractTarget, registerContractSuite } from './src/contract-suite';
import { everyServiceExists, startTestMicroservices, type TestMicroservices } from './src/micro-stack';

// The same suite as the monolith's, through the gateway of the whole stack (seven processes, RabbitMQ, SMTP).
describe.skipIf(!everyServiceExists)('the contract, against the microservices gateway', () => {
  let micro: TestMicroservices;

  beforeAll(async () => {
    micro = await startTestMicroservices();
  }, 180_000);

  afterAll(async () => {
    await micro?.stop();
  });

  registerContractSuite(
    (): ContractTarget => ({
      stack: 'microservices',
      baseUrl: micro.stack.gatewayUrl,
      admin: micro.admin,
      jwtSecret: micro.jwtSecret,
      mailbox: micro.mail.mailbox,
    }),
  );

  // The suite checks the gateway; the services behind it are servers too, and answer the same way.
  test('when Node itself refuses a request to any service, then the contract error shape in JSON', async () => {
    const started = Object.values(micro.stack.services).filter((service) => service.started);
    expect(started.length).toBeGreaterThan(0);
    for (const service of started) await expectJsonRefusals(service.url);
  });
});
