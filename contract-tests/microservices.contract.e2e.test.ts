import { afterAll, beforeAll, describe } from 'vitest';
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
});
