// Swagger UI in a real browser: Debian's chromium (never a downloaded one; .ci/run installs it)
// driven by playwright-core opens /docs on a listening app wired to the fake AWS, authorises with
// an API key, runs PUT …/routes/{routeKey}/integration through "Try it out", sees the 200 and saves
// a screenshot under docs/. Without /usr/bin/chromium the test fails: it never skips.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import t, { type Test } from 'tap';
import { hashApiKey } from '../../src/auth/credentials.js';
import { bundledDocs, sourceTreeDocsFiles } from '../../src/plugins/bundled-docs.js';
import { buildTestApp } from '../support/build-test-app.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = new URL('../../docs/swagger-ui-put.png', import.meta.url).pathname;
const KEY = 'gw_browser-writer-key-0123456789abcdefghijklmnopqrstu';
const MOCK_BODY = {
  backend: { type: 'mock' },
  requestTemplates: { 'application/json': '{"statusCode":200}' },
  responses: { $default: { responseTemplates: { 'application/json': '{"pong":true}' } } },
  returnResponse: true,
};

/** A page in a fresh Chromium, and the requests of it that failed (4xx/5xx). */
async function openPage(t: Test): Promise<{ page: Page; failedRequests: string[] }> {
  const browser = await launchChromium(t);
  const page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(15_000);
  const failedRequests: string[] = [];
  page.on('response', (response) => {
    if (response.status() >= 400) failedRequests.push(`${response.status()} ${response.url()}`);
  });
  return { page, failedRequests };
}

async function launchChromium(t: Test): Promise<BrowserContext> {
  const profile = await mkdtemp(join(tmpdir(), 'gatewire-chromium-'));
  t.teardown(() => rm(profile, { recursive: true, force: true }));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 1000 },
  });
  t.teardown(() => browser.close());
  return browser;
}

t.test('Swagger UI: Authorize with an API key, Try it out on PUT …/integration, 200', async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.fail(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does it)`);
    return;
  }
  const { app, fake, apiId, auditStore } = await buildTestApp(t, {
    credential: false,
    env: { GATEWIRE_API_KEYS: JSON.stringify([{ name: 'browser', sha256: hashApiKey(KEY), scopes: ['write'] }]) },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const { page, failedRequests } = await openPage(t);

  await page.goto(`${base}/docs`);
  await page.locator('.swagger-ui .info .title', { hasText: 'Gatewire' }).waitFor();

  // Authorize: the apiKey scheme (x-api-key).
  await page.locator('.auth-wrapper button.authorize').click();
  const apiKeyScheme = page.locator('.modal-ux .auth-container', { hasText: 'x-api-key' });
  await apiKeyScheme.locator('input').fill(KEY);
  await apiKeyScheme.locator('button.authorize').click();
  await apiKeyScheme.locator('button', { hasText: 'Logout' }).waitFor();
  await page.locator('.modal-ux button.btn-done').first().click();

  // The operation, in "Try it out" mode (tryItOutEnabled), with a mock backend.
  const operation = page.locator('.opblock.opblock-put', { has: page.locator('[data-path="/v1/apis/{apiId}/routes/{routeKey}/integration"]') });
  await operation.locator('.opblock-summary').first().click();
  const tryItOut = operation.locator('button.try-out__btn', { hasText: 'Try it out' });
  if (await tryItOut.isVisible()) await tryItOut.click();
  await operation.locator('tr[data-param-name="apiId"] input').fill(apiId);
  await operation.locator('tr[data-param-name="routeKey"] input').fill('ping');
  await operation.locator('textarea.body-param__text').fill(JSON.stringify(MOCK_BODY, null, 2));
  await operation.locator('button.execute').click();

  const status = operation.locator('.live-responses-table .response .response-col_status').first();
  await status.waitFor();
  t.equal((await status.innerText()).trim(), '200', 'Swagger UI shows 200');
  const responseBody = await operation.locator('.live-responses-table .response-col_description pre').first().innerText();
  t.match(responseBody, /"outcome": "applied"/, 'and the change result');
  const curl = await operation.locator('.curl-command').innerText();
  t.match(curl, /x-api-key: /, 'the request carried the API key');

  // From the operation's header down to the live response (the documented responses below are long).
  const top = (await operation.boundingBox())!;
  const live = (await operation.locator('.live-responses-table').first().boundingBox())!;
  const scroll = await page.evaluate('window.scrollY') as number;
  await page.screenshot({
    path: SCREENSHOT,
    fullPage: true,
    clip: { x: top.x, y: top.y + scroll, width: top.width, height: live.y + live.height - top.y + 8 },
  });
  t.ok(existsSync(SCREENSHOT), `screenshot saved: docs/swagger-ui-put.png`);

  t.same(failedRequests, [], 'no request of the page failed');
  t.ok(fake.api(apiId).route('ping')?.target, 'the route is bound in the fake');
  t.match(auditStore.records().at(-1), { routeKey: 'ping', status: 'succeeded', actor: { id: 'browser', kind: 'api-key' } });
});

t.test("the Lambda build's Swagger UI (committed document, no @fastify/swagger-ui) renders every operation", async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.fail(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does it)`);
    return;
  }
  // The docs under a stage-like prefix, with a stand-in for one operation: the page's links and
  // "Try it out" must stay inside the prefix.
  const app = Fastify({ logger: false });
  const listed: string[] = [];
  await app.register(
    async (stage) => {
      await bundledDocs({ files: sourceTreeDocsFiles() })(stage);
      stage.get('/v1/apis', async (request) => {
        listed.push(request.url);
        return { items: [] };
      });
    },
    { prefix: '/prod' },
  );
  t.teardown(() => app.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const { page, failedRequests } = await openPage(t);

  for (const url of [`${base}/prod/docs`, `${base}/prod/docs/`]) {
    await page.goto(url);
    await page.locator('.swagger-ui .info .title', { hasText: 'Gatewire' }).waitFor();
    const put = page.locator('.opblock.opblock-put', { has: page.locator('[data-path="/v1/apis/{apiId}/routes/{routeKey}/integration"]') });
    await put.first().waitFor();
    t.ok(await page.locator('.swagger-ui .auth-wrapper button.authorize').isVisible(), `${url}: the Authorize button`);
    t.ok((await page.locator('.opblock').count()) > 20, `${url}: the operations`);
  }

  // Try it out on GET /v1/apis: the request goes to /prod/v1/apis, not to the host's root.
  const listApis = page.locator('.opblock.opblock-get', { has: page.locator('[data-path="/v1/apis"]') }).first();
  await listApis.locator('.opblock-summary').first().click();
  const tryItOut = listApis.locator('button.try-out__btn', { hasText: 'Try it out' });
  if (await tryItOut.isVisible()) await tryItOut.click();
  await listApis.locator('button.execute').click();
  const status = listApis.locator('.live-responses-table .response .response-col_status').first();
  await status.waitFor();
  t.equal((await status.innerText()).trim(), '200', 'Try it out answered 200');
  t.same(listed, ['/prod/v1/apis'], 'through the stage prefix');
  t.same(failedRequests, [], 'no request of the page failed');
});
