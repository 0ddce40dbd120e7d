import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import type { Browser, Page } from 'playwright-core';
import { launchSystemChromium, screenshotDir } from './console-browser';
import { request } from './http-client';
import { startOneOriginGateway, type OneOriginGateway } from './one-origin-gateway';
import { type ServiceProcess } from './service-process';
import { ADMIN, createVetoDeployment, USER_PASSWORD, type VetoDeployment } from './veto-deployment';

// Generous: the machine may be busy; Playwright's locators wait only as long as they must.
const UI_TIMEOUT_MS = 30_000;
const REPOSITORY = join(__dirname, '..', '..', '..');

describe('the admin console in a real browser (chromium → gateway → auth + two tickets instances + nats-server)', () => {
  let nats: NatsServerHandle;
  let deployment: VetoDeployment;
  let auth: ServiceProcess;
  const tickets: ServiceProcess[] = [];
  let gateway: OneOriginGateway;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const shots = screenshotDir();
  const run = randomBytes(4).toString('hex');

  beforeAll(async () => {
    // The auth process serves the package's built files: build them first, as `pnpm build` would.
    execFileSync('pnpm', ['--filter', '@veto/admin-console', 'build'], { cwd: REPOSITORY, stdio: 'pipe' });
    nats = await startNatsServer();
    deployment = await createVetoDeployment({ natsUrl: nats.url, databaseUrl: process.env.DATABASE_URL, label: 'console' });
    auth = deployment.startAuth();
    await auth.waitReady();
    for (const index of [1, 2]) {
      tickets.push(await deployment.startTickets(index, { RECEIPT_INTERVAL_MS: '300', INSTANCE_ID: `tickets-${index}` }));
    }
    await Promise.all(tickets.map((instance) => instance.waitReady()));
    gateway = await startOneOriginGateway({ authUrl: auth.url, ticketsUrl: tickets[0]!.url });
    browser = await launchSystemChromium();
    page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    // A script error or a Content-Security-Policy violation shows up here (and fails the last test);
    // the expected 401 of the signed-out session check is only a failed resource load.
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
    });
    mkdirSync(shots, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await Promise.all([auth, ...tickets].map((service) => service?.stop()));
    await nats?.cleanup();
    await deployment?.cleanup();
  }, 60_000);

  async function signInInBrowser(email: string, password: string): Promise<void> {
    await page.goto(`${gateway.url}/admin`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('tells a user who is not an admin that the console is for admins, and keeps them out', async () => {
    const email = `not-admin-${run}@example.com`;
    await deployment.signUp(email);
    await signInInBrowser(email, USER_PASSWORD);
    await page
      .getByRole('alert')
      .filter({ hasText: `${email} is not an admin` })
      .waitFor();
    // Signed out again at once: the console's own session check finds none.
    const me = await page.evaluate(() => fetch('/api/users/me', { credentials: 'same-origin' }).then((response) => response.status));
    expect(me).toBe(401);
  });

  it('shows the problem of a failed sign-in', async () => {
    await signInInBrowser(ADMIN.email, 'not the password');
    await page.getByRole('alert').filter({ hasText: 'INVALID_CREDENTIALS' }).waitFor();
  });

  it('an admin signs in, finds a user who holds a token, bans them with a reason and watches the ban land at 2/2 instances; the user’s next request to tickets is 401 TOKEN_REVOKED', async () => {
    const email = `mallory-${run}@example.com`;
    const { token } = await deployment.signUp(email);
    expect((await request('GET', `${gateway.url}/api/tickets`, { token })).status).toBe(200);

    await page.goto(`${gateway.url}/admin`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.screenshot({ path: join(shots, 'console-sign-in.png') });
    await signInInBrowser(ADMIN.email, ADMIN.password);

    await page.getByLabel('Search users').fill(`mallory-${run}`);
    await page.getByRole('link', { name: email }).click();
    await page.getByRole('heading', { name: email }).waitFor();
    await page.getByRole('button', { name: 'Ban' }).click();
    await page.getByLabel('Reason').fill('card fraud, ticket 4711');
    await page.getByRole('button', { name: 'Confirm' }).click();

    const summary = page.getByRole('status').filter({ hasText: /^enforced · 2\/2 instances$/ });
    await summary.waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Unban' }).waitFor();
    await page.getByRole('cell', { name: 'card fraud, ticket 4711' }).waitFor();
    await page.screenshot({ path: join(shots, 'console-user-enforced.png'), fullPage: true });

    for (const url of [gateway.url, tickets[1]!.url]) {
      const { status, body } = await request('GET', `${url}/api/tickets`, { token });
      expect({ url, status, code: body.code }).toEqual({ url, status: 401, code: 'TOKEN_REVOKED' });
    }
  }, 180_000);

  it('lists both tickets instances on the fleet page, then signs out', async () => {
    await page.getByRole('link', { name: 'Fleet' }).click();
    for (const instanceId of ['tickets-1', 'tickets-2']) {
      await page.getByRole('cell', { name: instanceId }).waitFor();
    }
    await page.screenshot({ path: join(shots, 'console-fleet.png'), fullPage: true });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const me = await page.evaluate(() => fetch('/api/users/me', { credentials: 'same-origin' }).then((response) => response.status));
    expect(me).toBe(401);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
