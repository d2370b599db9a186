import type { RunSettings } from '../../shared/types';

/**
 * The one-click classroom demo: 20 buyers rush the doorbuster (stock 10) on both stacks, one after the other, with
 * half-second delays, so the monolith's staircase (about 20 × 1 s) fits in a lesson and the microservices stay flat.
 */
export const BLACK_FRIDAY_DEMO: RunSettings = {
  scenario: 'black-friday',
  target: 'both',
  connections: 10,
  duration_s: 10,
  buyers: 20,
  stock: 10,
  payment_delay_ms: 500,
  email_delay_ms: 500,
  payment_failure_rate: 0,
};
