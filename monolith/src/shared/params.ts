/** Integer ids in paths: anything else (letters, "0x10", "1e1", "1; DROP TABLE") is a 422 before any SQL runs. */
export { idSchema, parseId } from '@checkout-lab/kit';
