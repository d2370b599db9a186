import { ownFaults } from '@checkout-lab/kit';

/** The fault of the fault lab that acts in this service's reservation (stock_db_delay_ms): off at start. */
export const productFaults = () => ownFaults(['stock_db_delay_ms']);
export type ProductFaults = ReturnType<typeof productFaults>;
