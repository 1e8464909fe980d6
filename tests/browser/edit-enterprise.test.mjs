// End-to-end browser test of the Bridgehead pages against a running `bridgehead demo`
// (.ci/run step 6 starts one and runs this). By hand:
//
//   target/debug/bridgehead --data-dir /tmp/bh-demo demo --listen 127.0.0.1:8080 &
//   cd tests/browser && npm ci && BASE_URL=http://127.0.0.1:8080 npm test
//
// It signs in as the demo city analyst, edits the first enterprise of the registry in
// Chinese and in English (checking the language switch and that it is remembered), checks
// a validation error, a wrong password and signing out, and saves screenshots.
//
// Environment:
//   BASE_URL         the server (required), e.g. http://127.0.0.1:8080
//   CHROMIUM_PATH    the browser (default /usr/bin/chromium; never downloaded)
//   BH_USER, BH_PASSWORD   the demo user that edits (default city / demo-password-2023)
//   SCREENSHOT_DIR   where screenshots go (default tests/browser/screenshots)
//
// The tests run in order and share one browser profile (a fresh temporary directory).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, PASSWORD, cookie as browserCookie, openBrowser, shot as screenshot, signIn as submitSignIn } from './browser.mjs';

const USER = process.env.BH_USER ?? 'city';
const RUN_ID = `${Date.now().toString(36)}-${process.pid}`;

let browser;
let context;
let page;
let pageErrors = [];

before(async () => {
  browser = await openBrowser();
  ({ context, page, pageErrors } = browser);
});

after(async () => {
  await browser?.close();
});

async function shot(name) {
  await screenshot(page, name);
}

async function htmlLang() {
  return page.locator('html').getAttribute('lang');
}

async function cookie(name) {
  return browserCookie(context, name);
}

async function signIn(username, password) {
  await submitSignIn(page, username, password);
}

/** Opens the registry, then its first enterprise, then that enterprise's edit form. */
async function openFirstEditForm() {
  await page.goto(`${BASE_URL}/enterprises`);
  const first = page.locator('table.data tbody tr a[href^="/enterprises/"]').first();
  const href = await first.getAttribute('href');
  assert.match(href, /^\/enterprises\/\d+$/, 'the first row links to an enterprise');
  await first.click();
  await page.waitForURL(`${BASE_URL}${href}`);

  await page.click(`a[href="${href}/edit"]`);
  await page.waitForURL(`${BASE_URL}${href}/edit`);
  const form = page.locator(`form[action="${href}"]`);
  assert.ok((await form.locator('input[type=hidden][name=_csrf]').inputValue()).length > 0, 'the form has a CSRF token');
  assert.match(await form.locator('input[type=hidden][name=version]').inputValue(), /^\d+$/, 'the form has a version');
  return { href, form };
}

/** Opens the first enterprise of the registry, edits its English name, and checks the detail page. */
async function editFirstEnterprise(label) {
  const { href, form } = await openFirstEditForm();
  const newName = `Browser test ${label} ${RUN_ID}`;
  await form.locator('input[name=name_en]').fill(newName);
  await shot(`${label}-2-edit-form`);
  await Promise.all([page.waitForURL(`${BASE_URL}${href}`), form.locator('button[type=submit]').click()]);

  const errors = await page.locator('small.error, .notice.error').allInnerTexts();
  assert.deepEqual(errors, [], 'the edit is accepted without errors');
  await assert.doesNotReject(
    page.locator('dl.facts dd', { hasText: newName }).first().waitFor(),
    `the detail page shows the new English name "${newName}"`,
  );
  await shot(`${label}-3-detail-after-edit`);

  // The edit form shows the saved value too (no stale cache).
  await page.goto(`${BASE_URL}${href}/edit`);
  assert.equal(await page.locator('input[name=name_en]').inputValue(), newName);
  return href;
}

test('a wrong password is refused with an error message', async () => {
  await signIn(USER, `${PASSWORD}-wrong`);
  assert.equal(new URL(page.url()).pathname, '/login', 'stays on the sign-in page');
  const error = page.locator('.notice.error, small.error').first();
  await error.waitFor();
  assert.ok((await error.innerText()).trim().length > 0, 'the error has text');
  assert.equal(await cookie('bh_session'), undefined, 'no session cookie');
  assert.equal(await page.locator('form[action="/logout"]').count(), 0, 'not signed in');
  await shot('0-wrong-password');
});

test('edit an enterprise in Chinese (the default language)', async () => {
  await signIn(USER, PASSWORD);
  assert.notEqual(new URL(page.url()).pathname, '/login', `signing in as ${USER} failed (still on /login)`);
  assert.ok(await cookie('bh_session'), 'session cookie set');
  assert.equal(await page.locator('header form[action="/logout"]').count(), 1, 'the sign-out button is shown');

  await page.goto(`${BASE_URL}/enterprises`);
  assert.equal(await htmlLang(), 'zh-CN');
  assert.equal((await page.locator('h1').innerText()).trim(), '企业名录');
  await shot('zh-1-registry');
  await editFirstEnterprise('zh');
  assert.equal(await htmlLang(), 'zh-CN', 'still Chinese after editing');
});

test('an invalid value is refused next to its field and nothing is saved', async (t) => {
  const { href, form } = await openFirstEditForm();
  const before = await form.locator('input[name=name_en]').inputValue();
  await form.locator('input[name=name_en]').fill(`Must not be saved ${RUN_ID}`);
  await form.locator('input[name=region_code]').fill('12');
  await Promise.all([page.waitForLoadState('load'), form.locator('button[type=submit]').click()]);

  const field = page.locator('input[name=region_code]');
  assert.equal(await field.inputValue(), '12', 'the form keeps what was typed');
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  const errorId = await field.getAttribute('aria-describedby');
  assert.ok(errorId, 'the field points at its error message');
  const error = page.locator(`small.error#${errorId}`);
  const message = (await error.innerText()).trim();
  assert.ok(message.length > 0, 'the error message has text');
  if (!/[\u4e00-\u9fff]/.test(message)) {
    // Known gap, reported rather than failed: field messages come untranslated from the domain layer.
    t.diagnostic(`the field error on the Chinese page is not in Chinese: "${message}"`);
  }
  assert.equal(await page.locator('small.error').count(), 1, 'only the wrong field has an error');
  assert.equal(await page.locator('.notice.error').count(), 1, 'a summary notice says the form has errors');
  assert.equal(await htmlLang(), 'zh-CN');
  await shot('zh-4-validation-error');

  await page.goto(`${BASE_URL}${href}/edit`);
  assert.equal(await page.locator('input[name=name_en]').inputValue(), before, 'nothing was saved');
});

test('switch to English, edit again, and the choice is remembered', async () => {
  await page.goto(`${BASE_URL}/enterprises`);
  const switchLink = page.locator('#lang-switch');
  assert.equal(await switchLink.getAttribute('lang'), 'en');
  await Promise.all([page.waitForLoadState('load'), switchLink.click()]);
  assert.equal(new URL(page.url()).pathname, '/enterprises', 'the switch returns to the same page');
  assert.equal(await htmlLang(), 'en');
  assert.equal((await page.locator('h1').innerText()).trim(), 'Enterprise registry');
  assert.equal((await cookie('bh_lang'))?.value, 'en', 'the bh_lang cookie holds the choice');
  await shot('en-1-registry');

  await editFirstEnterprise('en');
  assert.equal(await htmlLang(), 'en', 'still English after editing');

  // Remembered across navigation, including pages reached by typing the address.
  for (const target of ['/', '/reference/regions', '/enterprises']) {
    await page.goto(`${BASE_URL}${target}`);
    assert.equal(await htmlLang(), 'en', `${target} is in English`);
  }
  assert.equal((await page.locator('h1').innerText()).trim(), 'Enterprise registry');

  // And back to Chinese.
  await Promise.all([page.waitForLoadState('load'), page.locator('#lang-switch').click()]);
  assert.equal(await htmlLang(), 'zh-CN');
  assert.equal((await cookie('bh_lang'))?.value, 'zh');
  await page.goto(`${BASE_URL}/enterprises`);
  assert.equal(await htmlLang(), 'zh-CN');
  assert.equal((await page.locator('h1').innerText()).trim(), '企业名录');
});

test('signing out returns to a signed-out state', async () => {
  await page.goto(`${BASE_URL}/enterprises`);
  const signOut = page.locator('header form[action="/logout"] button[type=submit]');
  await Promise.all([page.waitForLoadState('load'), signOut.click()]);
  await page.waitForFunction(() => !document.querySelector('form[action="/logout"]'));
  assert.equal(await page.locator('header a[href="/login"]').count(), 1, 'the header offers to sign in');
  assert.equal(await page.locator('header a[href="/enterprises"]').count(), 0, 'no registry link when signed out');
  await shot('9-signed-out');

  // The registry now asks to sign in again.
  await page.goto(`${BASE_URL}/enterprises`);
  assert.equal(new URL(page.url()).pathname, '/login', 'the registry redirects to the sign-in page');
});

test('no script errors on the pages visited', () => {
  assert.deepEqual(pageErrors, []);
});
