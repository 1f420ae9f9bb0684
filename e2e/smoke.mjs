#!/usr/bin/env node
// Browser smoke test with accessibility checks.
//
//   node e2e/smoke.mjs
//
// Starts `tandem demo` on a free loopback port with a throwaway SQLite
// database, opens each page in PAGES with Debian's Chromium (playwright-core),
// and checks for each page:
//   - HTTP status (200 unless the entry says otherwise),
//   - a visible <h1>,
//   - a Content-Security-Policy header containing `script-src 'self'`,
//   - no console errors and no uncaught page errors (a CSP violation is a
//     console error),
//   - no requests to anything but the server under test,
//   - no axe-core violations for WCAG 2.0/2.1/2.2 A and AA.
// A full-page screenshot of each page goes to e2e/artifacts/ (gitignored).
// Ends with the line `N passed, M failed` and exits 1 if any page failed.
//
// Environment:
//   TANDEM_BIN     the tandem binary (default: $CARGO_TARGET_DIR or target, /debug/tandem)
//   CHROMIUM_PATH  the Chromium binary (default: /usr/bin/chromium)

import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

import AxeBuilder from '@axe-core/playwright';
import { chromium } from 'playwright-core';

/** Opens the first case in the list, then one section of it. */
async function openSection(page, label) {
  await Promise.all([page.waitForLoadState('load'), page.click('main table a.govuk-link')]);
  await page.waitForSelector('h1:has-text("Case ")');
  await Promise.all([
    page.waitForLoadState('load'),
    page.click(`nav[aria-label="Sections of this case"] a:has-text("${label}")`),
  ]);
  await page.waitForSelector('h2');
}

// Pages to visit, in order. Add entries here. Fields:
//   path    URL path on the demo server (required)
//   name    screenshot file name (default: derived from the path)
//   as      the demo user to be signed in as (absent: signed out)
//   status  expected HTTP status (default 200)
//   stepStatus  HTTP status the steps are expected to end on, e.g. 422 for a
//           form sent back with errors (the browser logs that as a console
//           error, which is then not a failure)
//   steps   optional async ({ page, baseUrl, response }) => void, run after
//           the page has loaded and before the accessibility scan: fill in
//           forms, click, sign in... Use page.* calls, which time out.
const PAGES = [
  // Signed out.
  { path: '/sign-in', name: 'sign-in' },
  { path: '/reset-password', name: 'reset-password' },
  // A family court adviser: home, and an administration page refused.
  { path: '/', name: 'home', as: 'fca' },
  { path: '/admin', name: 'admin-refused', as: 'fca', status: 403 },
  { path: '/account', name: 'account', as: 'fca' },
  // Casework, as the family court adviser.
  { path: '/cases', name: 'cases', as: 'fca' },
  {
    path: '/cases',
    name: 'case-record',
    as: 'fca',
    steps: async ({ page }) => {
      await Promise.all([page.waitForLoadState('load'), page.click('main table a.govuk-link')]);
      await page.waitForSelector('h1:has-text("Case ")');
    },
  },
  {
    // Every form on a case page, opened, so axe checks them too.
    path: '/cases',
    name: 'case-forms',
    as: 'fca',
    steps: async ({ page }) => {
      await Promise.all([page.waitForLoadState('load'), page.click('main table a.govuk-link')]);
      await page.waitForSelector('h1:has-text("Case ")');
      await page.$$eval('details', (all) => all.forEach((d) => { d.open = true; }));
    },
  },
  {
    // A hearing with no date comes back with the problem named.
    path: '/cases',
    name: 'case-hearing-error',
    as: 'fca',
    stepStatus: 422,
    steps: async ({ page }) => {
      await Promise.all([page.waitForLoadState('load'), page.click('main table a.govuk-link')]);
      await page.waitForSelector('h1:has-text("Case ")');
      await page.$$eval('details', (all) => all.forEach((d) => { d.open = true; }));
      await page.fill('#hearing-on', '');
      await page.click('form[action$="/hearings"] button[type=submit]');
      await page.waitForSelector('.govuk-error-summary');
    },
  },
  {
    // Each section of a case, every form opened.
    path: '/cases',
    name: 'case-children',
    as: 'fca',
    steps: async ({ page }) => {
      await openSection(page, "The children's experience");
      await page.$$eval('details', (all) => all.forEach((d) => { d.open = true; }));
    },
  },
  {
    // A domestic abuse indicator without its type and source comes back with both named.
    path: '/cases',
    name: 'case-risk-error',
    as: 'fca',
    stepStatus: 422,
    steps: async ({ page }) => {
      await openSection(page, 'Risk');
      await page.$$eval('details', (all) => all.forEach((d) => { d.open = true; }));
      await page.selectOption('#risk-kind', 'domestic-abuse');
      await page.click('form[action$="/risk"] button[type=submit]');
      await page.waitForSelector('.govuk-error-summary');
    },
  },
  {
    path: '/cases',
    name: 'case-notes',
    as: 'supervisor',
    steps: async ({ page }) => {
      await openSection(page, 'Notes and oversight');
      await page.$$eval('details', (all) => all.forEach((d) => { d.open = true; }));
    },
  },
  {
    // The transfer form sent with nothing chosen comes back with each
    // problem named, at its field and in the summary.
    path: '/cases',
    name: 'case-transfer-error',
    as: 'supervisor',
    stepStatus: 422,
    steps: async ({ page }) => {
      await Promise.all([page.waitForLoadState('load'), page.click('main table a.govuk-link')]);
      await page.waitForSelector('h1:has-text("Case ")');
      await page.click('summary:has-text("Transfer to another team")');
      await page.click('form[action$="/transfer"] button[type=submit]');
      await page.waitForSelector('.govuk-error-summary');
    },
  },
  { path: '/children/yet-to-meet', name: 'yet-to-meet', as: 'supervisor' },
  { path: '/measures', name: 'measures', as: 'board' },
  { path: '/measures/private-law-time-to-final-order', name: 'measure', as: 'board' },
  { path: '/measures/new-cases?from=soon', name: 'measure-with-an-error', as: 'board' },
  { path: '/dashboards', name: 'dashboard-national', as: 'board' },
  { path: '/dashboards?scope=region-1', name: 'dashboard-region', as: 'board' },
  { path: '/dashboards?scope=service-area-1', name: 'dashboard-service-area', as: 'board' },
  { path: '/dashboards?scope=team-planet', name: 'dashboard-with-an-error', as: 'board' },
  { path: '/dashboards?scope=dfj-area-1', name: 'dashboard-dfj-area', as: 'board' },
  { path: '/dashboards', name: 'dashboard-with-drill-down', as: 'manager' },
  { path: '/dashboards/delay', name: 'drivers-of-delay', as: 'board' },
  { path: '/dashboards/delay?scope=region-1', name: 'drivers-of-delay-region', as: 'manager' },
  { path: '/dashboards/cases?measure=open-cases&scope=national', name: 'cases-behind-a-number', as: 'manager' },
  { path: '/dashboards/cases?measure=open-cases&scope=national', name: 'cases-behind-refused', as: 'board', status: 403 },
  { path: '/cases/new', name: 'case-new', as: 'fca' },
  {
    path: '/cases/new',
    name: 'case-new-errors',
    as: 'fca',
    stepStatus: 422,
    steps: async ({ page }) => {
      await page.fill('#case_number', 'NE/26/BAD');
      await page.fill('#child_date_of_birth-year', '2099');
      await page.click('main button[type=submit]');
      await page.waitForSelector('.govuk-error-summary');
    },
  },
  // HR: staff records.
  { path: '/admin/staff', name: 'staff-list', as: 'people' },
  { path: '/admin/staff?page=2', name: 'staff-list-page-2', as: 'people' },
  { path: '/admin/staff/2', name: 'staff-edit', as: 'people' },
  {
    // A form sent back with every problem: the error summary and the
    // field errors must be accessible too.
    path: '/admin/staff/new',
    name: 'staff-form-errors',
    as: 'people',
    stepStatus: 422,
    steps: async ({ page }) => {
      await page.fill('#fte', '2');
      await page.fill('#start_date-day', '31');
      await page.fill('#start_date-month', '2');
      await page.fill('#start_date-year', '2024');
      await page.click('main button[type=submit]');
      await page.waitForSelector('.govuk-error-summary');
    },
  },
  {
    // Typing in the staff filter updates the results through htmx.
    path: '/admin/staff',
    name: 'staff-filter',
    as: 'people',
    steps: async ({ page }) => {
      await page.fill('#name', 'zz-nobody');
      await page.waitForSelector('text=No staff match');
    },
  },
  // A practice supervisor: their team's allocation queue and caseloads.
  { path: '/', name: 'home-supervisor', as: 'supervisor' },
  { path: '/teams/1/allocation', name: 'allocation', as: 'supervisor' },
  // A service manager: a record outside their area asks for a reason.
  { path: '/admin/staff/1', name: 'break-glass', as: 'manager', status: 403 },
  { path: '/admin/break-glass', name: 'break-glass-log', as: 'manager' },
  // Exporting case data: the form, and the form sent back with its problems.
  { path: '/cases/export', name: 'case-export', as: 'manager' },
  {
    path: '/cases/export',
    name: 'case-export-errors',
    as: 'manager',
    stepStatus: 422,
    steps: async ({ page }) => {
      await page.fill('#from-day', '31');
      await page.fill('#from-month', '2');
      await page.fill('#from-year', '2026');
      await page.click('main button[type=submit]');
      await page.waitForSelector('.govuk-error-summary');
    },
  },
  // The administrator (with an authenticator code).
  { path: '/admin', name: 'admin-index', as: 'admin' },
  { path: '/organisation', as: 'admin' },
  { path: '/admin/regions', as: 'admin' },
  { path: '/admin/teams/new', name: 'team-new', as: 'admin' },
  { path: '/admin/users', name: 'users', as: 'admin' },
  { path: '/admin/users/1', name: 'user-detail', as: 'admin' },
  { path: '/admin/audit?username=fca', name: 'audit', as: 'admin' },
  { path: '/admin/bank-holidays', name: 'bank-holidays', as: 'admin' },
  { path: '/admin/application-types', name: 'application-types', as: 'admin' },
  {
    // A target of no days comes back with the problem at its field.
    path: '/admin/practice-settings',
    name: 'practice-settings-error',
    as: 'admin',
    stepStatus: 422,
    steps: async ({ page }) => {
      await page.fill('#safeguarding-letter-days', '0');
      await page.click('main button[type=submit]');
      await page.waitForSelector('.govuk-error-summary');
    },
  },
  { path: '/measures/work-filed-on-time', name: 'measure-target', as: 'admin' },
  {
    // A share over 100% comes back with the problem at its field.
    path: '/measures/work-filed-on-time',
    name: 'measure-target-error',
    as: 'admin',
    stepStatus: 422,
    steps: async ({ page }) => {
      await page.fill('#target', '140');
      await page.click('form[action$="/target"] button[type=submit]');
      await page.waitForSelector('.govuk-error-summary');
    },
  },
  { path: '/no-such-page', name: 'not-found', as: 'admin', status: 404 },
];

// The demo's sign-ins, as `tandem demo` prints them.
const DEMO_PASSWORD = 'tandem demo 2026';
const DEMO_ADMIN_KEY = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

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

const HOST = '127.0.0.1';
const SERVER_READY_TIMEOUT_MS = 120_000;
const BROWSER_LAUNCH_TIMEOUT_MS = 60_000;
const NAVIGATION_TIMEOUT_MS = 30_000;
const ACTION_TIMEOUT_MS = 10_000;
const SETTLE_TIMEOUT_MS = 3_000;
const AXE_TIMEOUT_MS = 60_000;
const SHUTDOWN_TIMEOUT_MS = 5_000;
// Hard ceiling for the whole run, whatever hangs.
const OVERALL_TIMEOUT_MS = 15 * 60_000;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');
const TANDEM_BIN = process.env.TANDEM_BIN
  ? path.resolve(process.env.TANDEM_BIN)
  : path.join(process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target'), 'debug', 'tandem');
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// ---------------------------------------------------------------------------

/** Rejects with `message` if `promise` has not settled within `ms`. */
function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} (timed out after ${ms / 1000} s)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port nobody listens on right now: bind port 0 on loopback, then close. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** GET url; resolves to the status code, or null on any error. */
function httpStatus(url, timeoutMs) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(null));
  });
}

function stripAnsi(s) {
  return s.replace(/\x1b\[[0-9;?]*[ -\/]*[@-~]/g, '');
}

function screenshotName(entry) {
  if (entry.name) return entry.name;
  const slug = entry.path.replace(/[?#].*$/, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return slug || 'home';
}

// ---------------------------------------------------------------------------
// The server under test.

class Server {
  constructor(bin, port, dbPath) {
    this.bin = bin;
    this.port = port;
    this.dbPath = dbPath;
    this.baseUrl = `http://${HOST}:${port}`;
    this.lines = [];
    this.exited = null; // { code, signal } once the process has exited
    this.child = null;
  }

  start() {
    const args = ['demo', '--bind', `${HOST}:${this.port}`, '--database-url', `sqlite://${this.dbPath}`];
    console.log(`starting: ${this.bin} ${args.join(' ')}`);
    this.child = spawn(this.bin, args, {
      cwd: ROOT,
      // Its own process group, so the whole group can be killed.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    this.exitPromise = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.lines.push(`[spawn error] ${err.message}`);
        this.exited = { code: null, signal: null, error: err };
        resolve();
      });
      this.child.on('exit', (code, signal) => {
        this.exited = { code, signal };
        resolve();
      });
    });
    // 'close' comes after the output pipes are drained (unless a grandchild holds them).
    this.closePromise = new Promise((resolve) => this.child.on('close', resolve));
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        partial += chunk;
        const parts = partial.split('\n');
        partial = parts.pop();
        for (const line of parts) this.onLine(stripAnsi(line));
      });
      stream.on('end', () => {
        if (partial) this.onLine(stripAnsi(partial));
      });
    }
  }

  onLine(line) {
    this.lines.push(line);
    if (this.lines.length > 500) this.lines.splice(0, this.lines.length - 500);
    if (line.includes(this.baseUrl)) this.sawUrl = true;
  }

  /** Resolves when the server printed its URL or /healthz answers 200. */
  async waitReady(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) {
        await Promise.race([this.closePromise, sleep(1_000)]);
        throw new Error(`server exited before it was ready (${describeExit(this.exited)})`);
      }
      // Ready once /healthz answers 200, or once the URL line was printed and
      // the port answers HTTP at all (older builds may lack /healthz).
      const status = await httpStatus(`${this.baseUrl}/healthz`, 1_000);
      if (status === 200 || (this.sawUrl && status !== null)) return;
      await sleep(250);
    }
    throw new Error(`server did not print ${this.baseUrl} nor answer /healthz within ${timeoutMs / 1000} s`);
  }

  output(maxLines = 60) {
    const lines = this.lines.slice(-maxLines);
    return lines.length ? lines.map((l) => `    | ${l}`).join('\n') : '    | (no output)';
  }

  /** SIGTERM the process group, then SIGKILL if it lingers. */
  async stop() {
    if (!this.child || this.child.pid === undefined || this.exited) return;
    const kill = (signal) => {
      try {
        process.kill(-this.child.pid, signal);
      } catch {
        try {
          this.child.kill(signal);
        } catch {
          // already gone
        }
      }
    };
    kill('SIGTERM');
    const stopped = await Promise.race([this.exitPromise.then(() => true), sleep(SHUTDOWN_TIMEOUT_MS).then(() => false)]);
    if (!stopped) {
      kill('SIGKILL');
      await Promise.race([this.exitPromise, sleep(SHUTDOWN_TIMEOUT_MS)]);
    }
    // Anything else left in the group.
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // group is empty
    }
  }
}

function describeExit(exited) {
  if (exited.error) return `could not start: ${exited.error.message}`;
  if (exited.signal) return `killed by ${exited.signal}`;
  return `exit code ${exited.code}`;
}

// ---------------------------------------------------------------------------
// Signing in.

/** The current RFC 6238 code (SHA-1, 6 digits, 30 s) for a base32 key. */
function totp(base32, now = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...base32.replace(/=+$/, '')].map((c) => alphabet.indexOf(c).toString(2).padStart(5, '0')).join('');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 30000)));
  const hmac = crypto.createHmac('sha1', key).update(counter).digest();
  const offset = hmac[hmac.length - 1] & 0xf;
  return String((hmac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** Signs a fresh context in as a demo user, answering the second-factor question if asked. */
async function signIn(context, baseUrl, username) {
  const page = await context.newPage();
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
  // Submits the form on the page and waits for the page it leads to.
  const submit = async () => {
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.click('main button[type=submit]'),
    ]);
  };
  try {
    await page.goto(new URL('/sign-in', baseUrl).toString(), { waitUntil: 'load' });
    await page.fill('#username', username);
    await page.fill('#password', DEMO_PASSWORD);
    await submit();
    if (page.url().includes('/sign-in/second-factor')) {
      await page.fill('#code', totp(DEMO_ADMIN_KEY));
      await submit();
    }
    if (page.url().includes('/sign-in')) {
      throw new Error(`could not sign in as ${username} (still at ${page.url()})`);
    }
  } finally {
    await page.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------
// One page.

async function checkPage(context, baseUrl, entry) {
  const url = new URL(entry.path, baseUrl).toString();
  const expectedStatus = entry.status ?? 200;
  const reasons = [];
  const details = [];
  let violations = [];

  const page = await context.newPage();
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
  const consoleErrors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const loc = msg.location();
      // The page's own expected non-200 status is not an error.
      if (expectedStatus !== 200 && loc?.url === url && msg.text().startsWith('Failed to load resource')) return;
      if (entry.stepStatus && msg.text().includes(`status of ${entry.stepStatus} `)) return;
      consoleErrors.push(loc && loc.url ? `${msg.text()} (${loc.url}:${loc.lineNumber})` : msg.text());
    }
  });
  page.on('pageerror', (err) => consoleErrors.push(`uncaught ${err.name}: ${err.message}`));

  try {
    let response;
    try {
      response = await page.goto(url, { waitUntil: 'load' });
    } catch (err) {
      reasons.push(`could not load: ${err.message.split('\n')[0]}`);
      return { reasons, details, violations };
    }
    // Give late scripts (htmx and the like) a moment; not a failure if busy.
    await page.waitForLoadState('networkidle', { timeout: SETTLE_TIMEOUT_MS }).catch(() => {});

    if (!response) {
      reasons.push('no response');
    } else {
      if (response.status() !== expectedStatus) {
        reasons.push(`HTTP ${response.status()} (expected ${expectedStatus})`);
      }
      const csp = response.headers()['content-security-policy'];
      if (!csp) {
        reasons.push('no Content-Security-Policy header');
      } else if (!csp.includes("script-src 'self'")) {
        reasons.push(`Content-Security-Policy lacks "script-src 'self'"`);
        details.push(`csp: ${csp}`);
      }
    }

    const h1 = page.locator('h1').first();
    try {
      await h1.waitFor({ state: 'visible', timeout: ACTION_TIMEOUT_MS });
      details.push(`h1: ${(await h1.innerText()).trim().replace(/\s+/g, ' ')}`);
    } catch {
      reasons.push('no visible <h1>');
    }

    if (entry.steps) {
      try {
        await entry.steps({ page, baseUrl, response });
      } catch (err) {
        reasons.push(`step failed: ${err.message.split('\n')[0]}`);
      }
    }

    try {
      const results = await withTimeout(
        new AxeBuilder({ page }).withTags(AXE_TAGS).analyze(),
        AXE_TIMEOUT_MS,
        'axe-core scan',
      );
      violations = results.violations;
      if (violations.length) {
        const n = violations.length;
        reasons.push(`${n} accessibility violation${n === 1 ? '' : 's'} (${violations.map((v) => v.id).join(', ')})`);
      }
    } catch (err) {
      reasons.push(`axe-core failed: ${err.message.split('\n')[0]}`);
    }

    if (consoleErrors.length) {
      const n = consoleErrors.length;
      reasons.push(`${n} console error${n === 1 ? '' : 's'}`);
    }
  } finally {
    try {
      const file = path.join(ARTIFACTS, `${screenshotName(entry)}.png`);
      await page.screenshot({ path: file, fullPage: true, timeout: NAVIGATION_TIMEOUT_MS });
      details.push(`screenshot: ${path.relative(ROOT, file)}`);
    } catch (err) {
      details.push(`screenshot failed: ${err.message.split('\n')[0]}`);
    }
    for (const e of consoleErrors) details.push(`console error: ${e}`);
    await page.close().catch(() => {});
  }
  return { reasons, details, violations };
}

function printViolations(violations) {
  for (const v of violations) {
    console.log(`    axe ${v.id} [${v.impact ?? 'n/a'}]: ${v.help}`);
    console.log(`        ${v.helpUrl}`);
    for (const node of v.nodes) {
      const target = node.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' ');
      console.log(`        - ${target}`);
    }
  }
}

// ---------------------------------------------------------------------------

async function main() {
  let passed = 0;
  let failed = 0;
  let server = null;
  let browser = null;
  let tmpDir = null;

  // Last-resort cleanup when we cannot go through `finally`.
  const emergencyCleanup = () => {
    if (server?.child?.pid) {
      try {
        process.kill(-server.child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  };

  const watchdog = setTimeout(() => {
    console.log(`FAIL smoke test: did not finish within ${OVERALL_TIMEOUT_MS / 60_000} minutes`);
    emergencyCleanup();
    console.log(`${passed} passed, ${PAGES.length - passed} failed`);
    process.exit(1);
  }, OVERALL_TIMEOUT_MS);
  watchdog.unref();

  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      emergencyCleanup();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }

  try {
    await fs.mkdir(ARTIFACTS, { recursive: true });
    tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tandem-smoke-'));

    const port = await freePort();
    server = new Server(TANDEM_BIN, port, path.join(tmpDir, 'tandem.db'));
    server.start();
    try {
      await server.waitReady(SERVER_READY_TIMEOUT_MS);
    } catch (err) {
      console.log(`FAIL server: ${err.message}`);
      console.log(server.output());
      throw Object.assign(new Error('server did not start'), { reported: true });
    }
    console.log(`server ready at ${server.baseUrl}`);

    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      timeout: BROWSER_LAUNCH_TIMEOUT_MS,
    });
    // Only the server under test may be contacted.
    const foreign = [];
    const contexts = new Map();
    const contextFor = async (user) => {
      const key = user ?? '';
      if (contexts.has(key)) return contexts.get(key);
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.route('**/*', (route) => {
        const reqUrl = route.request().url();
        let allowed = false;
        try {
          const u = new URL(reqUrl);
          allowed = u.protocol === 'data:' || u.protocol === 'blob:' || (u.hostname === HOST && u.port === String(port));
        } catch {
          allowed = false;
        }
        if (allowed) return route.continue();
        foreign.push(reqUrl);
        return route.abort('blockedbyclient');
      });
      if (user) await signIn(context, server.baseUrl, user);
      contexts.set(key, context);
      return context;
    };

    for (const entry of PAGES) {
      const before = foreign.length;
      let result;
      try {
        result = await checkPage(await contextFor(entry.as), server.baseUrl, entry);
      } catch (err) {
        result = { reasons: [`error: ${err.message.split('\n')[0]}`], details: [], violations: [] };
      }
      for (const u of foreign.slice(before)) {
        result.reasons.push(`request to a foreign address blocked: ${u}`);
      }
      if (server.exited) {
        result.reasons.push(`server exited (${describeExit(server.exited)})`);
      }
      if (result.reasons.length === 0) {
        passed += 1;
        console.log(`ok  ${entry.path}`);
      } else {
        failed += 1;
        console.log(`FAIL ${entry.path}: ${result.reasons.join('; ')}`);
      }
      for (const d of result.details) console.log(`    ${d}`);
      printViolations(result.violations);
    }

    if (failed > 0) {
      console.log('--- server output (last lines) ---');
      console.log(server.output(40));
    }
  } catch (err) {
    if (!err.reported) console.log(`FAIL smoke test: ${err.message}`);
    failed = PAGES.length - passed;
  } finally {
    if (browser) await withTimeout(browser.close(), SHUTDOWN_TIMEOUT_MS, 'closing browser').catch(() => {});
    if (server) await server.stop();
    if (tmpDir) await fs.rm(tmpDir, { recursive: true, force: true }).catch(() => {});
    clearTimeout(watchdog);
  }

  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

const code = await main();
process.exit(code);
