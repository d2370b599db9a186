import type { Knobs } from '@checkout-lab/kit';
import type { TestMail } from '@checkout-lab/kit/testing';
import { SERVICE_NAMES, serviceExists } from '@checkout-lab/stacks';
import { startTestStack, type TestStack } from '@checkout-lab/stacks/testing';

export type TestMicroservices = TestStack & { mail: TestMail };

/** True once every service folder has its entry point: until then the microservices' suites are skipped. */
export const everyServiceExists = SERVICE_NAMES.every((name) => serviceExists(name));

/** The whole microservices stack of a test's own, with its own mail catcher (see startTestStack). */
export async function startTestMicroservices(knobs: Partial<Knobs> = {}): Promise<TestMicroservices> {
  return (await startTestStack({
    label: 'ct',
    knobs: { payment_delay_ms: 30, email_delay_ms: 30, ...knobs },
  })) as TestMicroservices;
}
