/** Test helpers (`@checkout-lab/kit/testing`): databases, a mail catcher and broker names of a test's own, and an
 * SMTP server that really refuses or hangs. Kept out of the main entry, which the services run with. */
export * from './testing';
export * from './faulty-smtp';
