// Browser test of the statistics dashboard against a running `bridgehead demo` (run by
// .ci/run step 6 with the other *.test.mjs here). By hand:
//
//   target/debug/bridgehead --data-dir /tmp/bh-demo demo --listen 127.0.0.1:8080 &
//   cd tests/browser && npm ci && BASE_URL=http://127.0.0.1:8080 node --test statistics.test.mjs
//
// The city analyst opens January–March 2023 and reads the published figures off the
// table (Jiaxing 290.30 hundred million yuan, +24.1%), sees the chart drawn, and drills
// down to Pinghu; January–June shows 638.90 and 35.7% of fixed-asset investment; the
// nine months to June 2019 show 14 and 31 projects by size tier; a published release
// reads the same for a visitor without a session.
//
// Environment: BASE_URL (required), CHROMIUM_PATH (default /usr/bin/chromium),
// BH_PASSWORD (default demo-password-2023), SCREENSHOT_DIR.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, openBrowser, shot, signIn } from './browser.mjs';


let browser;
let page;
let pageErrors = [];

before(async () => {
  browser = await openBrowser();
  ({ page, pageErrors } = browser);
});

after(async () => {
  await browser?.close();
});

/** The cells of the table's row whose first cell is `name`. */
async function row(name) {
  const rows = await page.locator('table.data tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.cells].map((cell) => cell.innerText.trim())),
  );
  return rows.find((cells) => cells[0] === name);
}

test('the city reads the published figures off the dashboard and drills down', async () => {
  await signIn(page, 'city');

  await page.goto(`${BASE_URL}/statistics?region=330400&period=2023-03`);
  assert.equal((await page.locator('h1').innerText()).trim(), '嘉兴市 2023年1-3月制造业投资');
  const jiaxing = await row('嘉兴市');
  assert.equal(jiaxing[1], '290.30', 'January–March 2023: 29.03 billion yuan');
  assert.equal(jiaxing[3], '24.1', 'up 24.1% on a comparable basis');
  // The bars by region, the trend, the regions stacked by cluster and the breakdown.
  await page.locator('.chart-canvas[data-drawn="true"]').first().waitFor();
  assert.ok((await page.locator('.chart-canvas[data-drawn="true"]').count()) >= 3, 'every chart is drawn');
  await shot(page, 'statistics-q1');

  const pinghu = page.locator('table.data tbody tr a', { hasText: '平湖市' });
  await Promise.all([page.waitForLoadState('load'), pinghu.click()]);
  assert.match(await page.locator('h1').innerText(), /^平湖市 2023年1-3月/);
  assert.ok(await page.locator('a[href="/projects?region=330482"]').count(), 'the projects behind the figure');

  await page.goto(`${BASE_URL}/statistics?region=330400&period=2023-06`);
  assert.equal((await row('嘉兴市'))[1], '638.90', 'January–June 2023: 63.89 billion yuan');
  const facts = await page.locator('main').innerText();
  assert.match(facts, /35\.7%/, '35.7% of fixed-asset investment');

  // The 2019 signings by size tier, read off the table under the figures.
  await page.goto(`${BASE_URL}/statistics?region=330400&period=2019-06`);
  const main = await page.locator('main').innerText();
  assert.match(main, /2018-10-01 至 2019-06-30 签约项目按规模（共 51 个/, 'nine months to June 2019');
  assert.equal((await row('100亿元以上'))[1], '14', '14 projects of 10 billion yuan and more');
  assert.equal((await row('10亿元或1亿美元以上'))[1], '31', 'and 31 more of 1 billion yuan or USD 100 million');

  // Publishing freezes the table; the public page shows it without a sign-in.
  await page.goto(`${BASE_URL}/statistics?region=330400&period=2023-03`);
  await page.fill('input[name=note]', '浏览器测试发布（示例）');
  await Promise.all([page.waitForURL(/\/statistics\/releases\/\d+$/), page.click('form[action="/statistics/releases"] button[type=submit]')]);
  assert.match(await page.locator('main').innerText(), /当前数据与发布时相同/);
  const id = page.url().split('/').pop();
  // A visitor without a session (no cookies) reads it.
  const response = await fetch(`${BASE_URL}/public/statistics/${id}`);
  assert.equal(response.status, 200);
  const html = await response.text();
  assert.match(html, /嘉兴市 2023年1-3月制造业投资/);
  assert.match(html, /290\.30/);
  await page.goto(`${BASE_URL}/public/statistics/${id}`);
  await shot(page, 'statistics-release');
  assert.deepEqual(pageErrors, [], 'no script errors');
});
