/**
 * Stacks of a test's own, on databases, broker names, ports and a mail catcher nobody else uses: the microservices
 * (`startTestStack`) and the monolith in-process (`startTestShop`). Test-only: the launcher and the services never
 * import it.
 */
export {
  internalHeaders,
  startTestStack,
  TEST_ADMIN,
  TEST_INTERNAL_SECRET,
  TEST_JWT_SECRET,
  type TestStack,
  type TestStackOptions,
} from './test-stack';
export {
  call,
  checkout,
  confirmationMails,
  historyOf,
  login,
  newBuyer,
  newBuyers,
  newProduct,
  queryService,
  runCheckouts,
  setFaults,
  startMicroLab,
  stockOf,
  waitAllFinal,
  waitFinal,
  type Answer,
  type Buyer,
  type MicroLab,
} from './micro-lab';
export { CHROMIUM_ARGS, CHROMIUM_PATH, ensureChromium } from './chromium';
export { type ApiResponse, jsonRequest, type RequestOptions, type SendRequest } from './json-request';
export { shopCounts, startTestShop, type TestShop } from './test-shop';
export { type MonolithProcess, startMonolithProcess } from './monolith-process';
