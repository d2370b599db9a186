import { describe, expect, it } from 'vitest';
import { names } from '@checkout-lab/shared';
import { normalizePrefix, queueNames } from '../server/internals/rabbit-queues';

describe('the RabbitMQ queue names the internals view reads', () => {
  it('when a prefix is set, with or without its dot, then the names are the ones the messaging adapter declares', () => {
    for (const prefix of ['run1', 'run1.', '']) {
      const adapter = names(prefix);
      for (const queue of queueNames(prefix)) {
        const expected = queue.dead_letter ? adapter.dlq(queue.service) : adapter.queue(queue.service, queue.purpose);
        expect(queue.name).toBe(expected);
        queue.retry_queues.forEach((retry, i) => {
          expect(retry).toBe(adapter.retryQueue(expected, i + 1));
        });
      }
    }
    expect(normalizePrefix('run1')).toBe('run1.');
    expect(normalizePrefix('run1.')).toBe('run1.');
  });

  it('when the stack runs, then each consuming service has its queues and one dead-letter queue', () => {
    const byName = queueNames('run1').map((q) => q.name);
    expect(byName).toContain('run1.product-service.order.order.created');
    expect(byName).toContain('run1.payment-service.order.payment.requested');
    expect(byName).toContain('run1.email-service.order.order.paid');
    expect(byName).toContain('run1.order-service.email.email.sent');
    for (const service of ['order-service', 'product-service', 'cart-service', 'payment-service', 'email-service']) {
      expect(queueNames('run1').filter((q) => q.service === service && q.dead_letter)).toHaveLength(1);
    }
  });
});
