import { DEFAULT_RUN_SETTINGS, type RunSettings } from '../../shared/types';

/**
 * The one-click classroom demo: the default run (20 buyers rush the doorbuster, stock 10, on both stacks one after the
 * other) with half-second delays, so the monolith's staircase (about 20 × 1 s) fits in a lesson and the microservices
 * stay flat.
 */
export const BLACK_FRIDAY_DEMO: RunSettings = { ...DEFAULT_RUN_SETTINGS, payment_delay_ms: 500, email_delay_ms: 500 };
