// Browser test of the collaborative innovation pages and of a file upload with its
// progress indicator, against a running `bridgehead demo` (run by .ci/run step 6 with
// the other *.test.mjs here). By hand:
//
//   target/debug/bridgehead --data-dir /tmp/bh-demo demo --listen 127.0.0.1:8080 &
//   cd tests/browser && npm ci && BASE_URL=http://127.0.0.1:8080 node --test innovation-and-files.test.mjs
//
// The Pinghu district officer finds the demo's Pinghu–Shanghai project flagged overdue
// (on a fresh demo) and opens it; the demo enterprise, its lead, records an open milestone with evidence
// (a first try without evidence is refused with the reason next to the field). Then the
// officer exports the projects of Pinghu and uploads the file again through the project
// files page: the upload goes through the page's script (progress bar, then the result
// page) and changes nothing; a file with a bad row is refused with the row named.
//
// Environment: BASE_URL (required), CHROMIUM_PATH (default /usr/bin/chromium),
// BH_PASSWORD (default demo-password-2023), SCREENSHOT_DIR.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BASE_URL, openBrowser, shot as screenshot, signInAs as switchUser } from './browser.mjs';

const RUN_ID = `${Date.now().toString(36)}-${process.pid}`;
const PROJECT = '平湖—上海智能传感器联合攻关（示例）';

let browser;
let filesDir;
let page;
let pageErrors = [];
let projectHref = '';

before(async () => {
  browser = await openBrowser();
  ({ page, pageErrors } = browser);
  filesDir = mkdtempSync(path.join(tmpdir(), 'bridgehead-files-'));
});

after(async () => {
  await browser?.close();
  if (filesDir) rmSync(filesDir, { recursive: true, force: true });
});

async function shot(name) {
  await screenshot(page, `innovation-${name}`);
}

async function signInAs(username) {
  await switchUser(page, username);
}

test('the district finds the overdue collaborative project and opens it', async () => {
  await signInAs('pinghu');
  await page.goto(`${BASE_URL}/innovation?overdue=true`);
  let link = page.locator('table.data tbody tr a', { hasText: PROJECT }).first();
  if ((await link.count()) === 0) {
    // A later run against the same demo: the overdue milestone was recorded since.
    await page.goto(`${BASE_URL}/innovation?q=${encodeURIComponent(PROJECT)}`);
    link = page.locator('table.data tbody tr a', { hasText: PROJECT }).first();
  }
  projectHref = await link.getAttribute('href');
  assert.match(projectHref ?? '', /^\/innovation\/\d+$/, 'the overdue filter lists the project');
  await Promise.all([page.waitForURL(`${BASE_URL}${projectHref}`), link.click()]);
  const text = await page.locator('main').innerText();
  for (const expected of ['示例大学（上海，示例）', '杨浦区（310110）', '预算合计', '17500000.00']) {
    assert.ok(text.includes(expected), `the project page shows ${expected}`);
  }
  await shot('project');
});

test('the lead records an open milestone, evidence first refused', async () => {
  await signInAs('enterprise');
  await page.goto(`${BASE_URL}${projectHref}`);
  const form = page.locator('form[action*="/milestones/"]').first();
  if ((await form.count()) === 0) {
    // A second run against the same demo: every milestone is recorded already.
    assert.ok((await page.locator('main').innerText()).includes('100%'));
    return;
  }
  await form.locator('input[name=completed_on]').fill('2025-07-01');
  // The browser would stop a form without its required evidence; the server's own
  // check is what this step is about.
  await form.evaluate((f) => { f.noValidate = true; });
  await Promise.all([page.waitForLoadState('load'), form.locator('button[type=submit]').click()]);
  const error = page.locator('#f-evidence-error');
  assert.equal((await error.innerText()).trim(), '已完成的里程碑须注明佐证材料');
  const again = page.locator('form[action*="/milestones/"]').filter({ has: page.locator('#f-evidence-error') });
  await again.locator('input[name=evidence]').fill(`中试线验收报告（示例，${RUN_ID}）`);
  await Promise.all([page.waitForURL(`${BASE_URL}${projectHref}`), again.locator('button[type=submit]').click()]);
  assert.ok((await page.locator('main').innerText()).includes(RUN_ID), 'the evidence is on the project page');
  await shot('milestone');
});

test('a project file goes up with its progress and imports back unchanged; a bad one names its row', async () => {
  await signInAs('pinghu');
  const exported = await page.evaluate(async () => {
    const response = await fetch('/api/v1/projects/export?format=csv&lang=zh');
    return response.text();
  });
  const rows = exported.trim().split('\n').length - 1;
  assert.ok(rows >= 2, `Pinghu exports its projects (${rows})`);
  const good = path.join(filesDir, 'pinghu-projects.csv');
  writeFileSync(good, exported);
  await page.goto(`${BASE_URL}/projects/files`);
  const form = page.locator('form[action^="/projects/import"]');
  await form.locator('input[type=file]').setInputFiles(good);
  await form.locator('button[type=submit]').click();
  const notice = page.locator('.notice.success');
  await notice.waitFor();
  assert.match(await notice.innerText(), new RegExp(`共 ${rows} 行，新增 0，更新 0，未变 ${rows}`));
  assert.equal(new URL(page.url()).pathname, '/projects/files', 'the result shows at the address of the files page');
  assert.ok(await page.locator('form[action^="/projects/import"]').count(), 'the result page offers the next upload');
  await shot('import');

  const bad = path.join(filesDir, 'bad.csv');
  const header = exported.split('\n')[0];
  // code, name, region, planned total (not an amount), no investors, signing date.
  const cells = Array(20).fill('');
  Object.assign(cells, { 0: `BR-${RUN_ID}`, 1: '坏行（示例）', 3: '330482', 12: '不是金额', 19: '2023-01-05' });
  writeFileSync(bad, `${header}\n${cells.join(',')}\n`);
  await page.goto(`${BASE_URL}/projects/files`);
  await page.locator('form[action^="/projects/import"] input[type=file]').setInputFiles(bad);
  await page.locator('form[action^="/projects/import"] button[type=submit]').click();
  const refused = page.locator('.notice.error');
  await refused.waitFor();
  const table = await refused.innerText();
  assert.ok(table.includes('计划总投资') && table.includes('投资企业及比例'), `the bad cells are named: ${table}`);
  assert.deepEqual(pageErrors, [], 'no script errors');
});
