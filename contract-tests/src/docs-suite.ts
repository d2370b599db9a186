import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openApiDocument, operationsOf, type Stack } from '@checkout-lab/contract';
import { Validator } from '@seriousme/openapi-schema-validator';
import { chromium } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { CHROMIUM_ARGS, ensureChromium } from '@checkout-lab/stacks/testing';

/**
 * The document a stack serves and its Swagger UI: the served /openapi.json is valid OpenAPI 3.1 and is the contract's
 * document for that stack, and /docs renders every operation in a real browser.
 */
export function registerDocsSuite(getTarget: () => { stack: Stack; baseUrl: string }): void {
  describe('the served OpenAPI document and Swagger UI', () => {
    test('when /openapi.json is fetched, then it is valid OpenAPI 3.1 and the contract’s document of this stack', async () => {
      const { stack, baseUrl } = getTarget();
      const response = await fetch(`${baseUrl}/openapi.json`);
      expect(response.status).toBe(200);
      const served = await response.json();
      const result = await new Validator().validate(served as never);
      expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
      expect(served).toEqual(JSON.parse(JSON.stringify(openApiDocument(stack))));
    });

    test('when /docs is opened in a browser, then Swagger UI lists every operation of the document', async () => {
      const { stack, baseUrl } = getTarget();
      const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-lab-swagger-'));
      const browser = await chromium.launchPersistentContext(userDir, {
        executablePath: ensureChromium(),
        args: CHROMIUM_ARGS,
      });
      try {
        const page = browser.pages()[0] ?? (await browser.newPage());
        await page.goto(`${baseUrl}/docs`);
        await page.locator('.opblock-summary-path[data-path="/api/orders/checkout"]').waitFor({ timeout: 30_000 });
        expect(await page.locator('.opblock').count()).toBe(operationsOf(openApiDocument(stack)).length);
        await expect(page.locator('.btn.authorize').count()).resolves.toBe(1);
      } finally {
        await browser.close().catch(() => {});
        fs.rmSync(userDir, { recursive: true, force: true });
      }
    });
  });
}
