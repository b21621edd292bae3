/**
 * The docs page in a real browser: Debian's Chromium (scripts/ensure-chromium.sh installs it) driven by
 * playwright-core loads /docs under helmet's headers and the page's own CSP, with no network but loopback.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { SERVICES, startDocsGatewayOverServices, type DocsGateway } from './support';

const CHROMIUM = process.env.TRADEFLOW_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('the /docs page in Chromium', () => {
  let gateway: DocsGateway | undefined;
  let profile: string | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh (make test runs it)`);
    gateway = await startDocsGatewayOverServices();
    profile = await mkdtemp(join(tmpdir(), 'tradeflow-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) =>
      problems.push(`failed: ${request.url()} (${request.failure()?.errorText ?? 'unknown'})`),
    );
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
  });

  afterAll(async () => {
    await context?.close();
    if (profile !== undefined) await rm(profile, { recursive: true, force: true });
    await gateway?.stop();
  });

  it('when /docs loads, then the operations of every service render, one expands, and nothing fails', async () => {
    await page.goto(`${gateway?.url}/docs`);
    for (const service of SERVICES) {
      await page.locator(`#operations-tag-${service}`).waitFor();
      // Swagger UI gives each operation the id operations-<tag>-<operationId>.
      await page.locator(`[id^="operations-${service}-"]`).first().waitFor();
    }
    expect(await page.locator('[id^="operations-trades-"]').count()).toBeGreaterThanOrEqual(8);
    expect(await page.locator('[id^="operations-reference-data-"]').count()).toBeGreaterThanOrEqual(20);
    expect(await page.locator('[id^="operations-validation-"]').count()).toBeGreaterThanOrEqual(1);
    await expectVisible(page.locator('button.authorize'));

    const submit = page.locator('#operations-trades-submit-trade');
    await submit.locator('.opblock-summary-control').click();
    const body = submit.locator('.opblock-body');
    await body.waitFor();
    // The service's parameter and the gateway's own answers are both in the expanded operation.
    await expectVisible(body.getByText('Idempotency-Key', { exact: true }));
    await expectVisible(body.locator('tr.response[data-code="429"]'));
    await expectVisible(body.locator('tr.response[data-code="202"]'));

    expect(problems).toEqual([]);
  });
});

async function expectVisible(locator: ReturnType<Page['locator']>): Promise<void> {
  await locator.first().waitFor({ state: 'visible' });
}
