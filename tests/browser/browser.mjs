// What the browser tests share: the server's address and the demo password from the
// environment, a headless Debian chromium on a throw-away profile, signing in, and
// screenshots. Environment: BASE_URL (required), CHROMIUM_PATH (default
// /usr/bin/chromium), BH_PASSWORD (default demo-password-2023), SCREENSHOT_DIR.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const BASE_URL = (process.env.BASE_URL ?? '').replace(/\/+$/, '');
export const PASSWORD = process.env.BH_PASSWORD ?? 'demo-password-2023';
export const SHOTS = process.env.SCREENSHOT_DIR ?? path.join(here, 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

if (!BASE_URL) {
  throw new Error('BASE_URL is not set (e.g. BASE_URL=http://127.0.0.1:8080, the address `bridgehead demo` prints)');
}

/**
 * Launches chromium on a fresh profile directory. Returns the context, its first page,
 * the script errors any page raised, and `close` (which also removes the profile).
 */
export async function openBrowser() {
  mkdirSync(SHOTS, { recursive: true });
  const profileDir = mkdtempSync(path.join(tmpdir(), 'bridgehead-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
    // The server follows Accept-Language until the bh_lang cookie says otherwise; a browser
    // set to Chinese, as the platform's users' are, makes the Chinese default deterministic.
    locale: 'zh-CN',
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  const close = async () => {
    await context.close();
    rmSync(profileDir, { recursive: true, force: true });
  };
  return { context, page, pageErrors, close };
}

/** Submits the sign-in form (whatever comes of it). */
export async function signIn(page, username, password = PASSWORD) {
  await page.goto(`${BASE_URL}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForLoadState('load'), page.click('form[action="/login"] button[type=submit]')]);
}

/** A cookie the browser holds for the server. */
export async function cookie(context, name) {
  const cookies = await context.cookies(BASE_URL);
  return cookies.find((c) => c.name === name);
}

/** Signs out whoever is signed in, then signs in as `username` and checks it worked. */
export async function signInAs(page, username) {
  await page.goto(`${BASE_URL}/`);
  const signOut = page.locator('header form[action="/logout"] button[type=submit]');
  if ((await signOut.count()) > 0) {
    await Promise.all([page.waitForLoadState('load'), signOut.click()]);
    await page.waitForFunction(() => !document.querySelector('form[action="/logout"]'));
  }
  await signIn(page, username);
  assert.notEqual(new URL(page.url()).pathname, '/login', `signing in as ${username} failed (still on /login)`);
  assert.ok(await cookie(page.context(), 'bh_session'), 'session cookie set');
}

/** A full-page screenshot named `name`.png in SHOTS. */
export async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}
