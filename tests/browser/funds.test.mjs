// Browser test of the fund pages against a running `bridgehead demo` (run by .ci/run
// step 6 with the other *.test.mjs here). By hand:
//
//   target/debug/bridgehead --data-dir /tmp/bh-demo demo --listen 127.0.0.1:8080 &
//   cd tests/browser && npm ci && BASE_URL=http://127.0.0.1:8080 node --test funds.test.mjs
//
// The demo's fund manager opens the fund list and the High-end Equipment (Jiaxing) fund:
// the policy KPI table and the performance chart are drawn; a KPI is explained down to
// its lines. Through the fund page's forms it records a management fee (after a refused
// amount, shown by its field with the values kept), sees it in the ledger, reverses it
// (the button asks first), issues a capital call and lands on the notice, opens a
// partner's printable notice and records the call's payment. Each run's entries carry their own memo, so the test can run again
// on the same demo database.
//
// Environment: BASE_URL (required), CHROMIUM_PATH (default /usr/bin/chromium),
// BH_PASSWORD (default demo-password-2023), BH_FUND_USER (default fund), SCREENSHOT_DIR.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, openBrowser, shot, signIn } from './browser.mjs';

const USER = process.env.BH_FUND_USER ?? 'fund';
const FUND = '高端装备（嘉兴）产业基金（示例规模）';
const RUN_ID = `${Date.now().toString(36)}-${process.pid}`;

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

/** The rows of the table right after the heading `heading`, as cell texts. */
async function tableAfter(heading) {
  const table = page.locator(`h2:text-is("${heading}") + .table-wrap table.data`);
  return table.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.cells].map((cell) => cell.innerText.trim())),
  );
}

/** Clicks the submit button of the form posting to `action` and waits for the next page. */
async function submit(form) {
  await Promise.all([page.waitForLoadState('load'), form.locator('button[type=submit]').click()]);
}

test('the fund manager reads a fund, records an entry and issues a call through the pages', async () => {
  await signIn(page, USER);

  // The fund list, then the Jiaxing fund.
  await page.goto(`${BASE_URL}/funds`);
  assert.equal((await page.locator('h1').innerText()).trim(), '产业基金');
  const link = page.locator('table.data tbody tr a', { hasText: FUND });
  assert.equal(await link.count(), 1, 'the Jiaxing fund is listed');
  await Promise.all([page.waitForURL(/\/funds\/\d+$/), link.click()]);
  const fundUrl = new URL(page.url());
  const fundId = fundUrl.pathname.split('/').pop();
  assert.equal((await page.locator('h1').innerText()).trim(), FUND);

  // The KPI table: every policy KPI with a value and a status; the chart is drawn.
  const kpis = await tableAfter('政策指标（穿透）');
  const names = kpis.map((row) => row[0]);
  for (const name of ['放大倍数（认缴）', '返投倍数', '返投完成率', '重点产业投资占比', '单一企业集中度', '投资进度']) {
    assert.ok(names.includes(name), `the KPI table lists ${name}: ${names.join(', ')}`);
  }
  assert.ok(kpis.every((row) => row.length === 6 && row[1] !== ''), 'each KPI has its value');
  await page.locator('.chart-canvas[data-drawn="true"]').first().waitFor();
  assert.equal(await page.locator('figure.chart figcaption').first().innerText(), '累计实缴、分配与净值');
  assert.ok((await page.locator('.chart-canvas[data-drawn="true"] svg path').count()) > 0, 'the lines are drawn');
  await shot(page, 'funds-fund-page');

  // A KPI explained: its number and the lines behind it.
  await Promise.all([
    page.waitForURL(/\/kpis\/local_reinvestment/),
    page.locator('table.data a', { hasText: /^返投倍数$/ }).click(),
  ]);
  assert.equal((await page.locator('h1').innerText()).trim(), '返投倍数');
  const main = await page.locator('main').innerText();
  assert.match(main, /jiaxing-reinvestment v2/, 'the rule set in force');
  assert.ok((await page.locator('table.data tbody tr').count()) > 0, 'the lines behind the KPI');
  await shot(page, 'funds-kpi-explained');
  await page.goto(fundUrl.href);

  // A ledger entry through the form: a refused amount first, shown by its field.
  const memo = `浏览器测试管理费（${RUN_ID}）`;
  const entryForm = page.locator(`form[action="/funds/${fundId}/entries"]`);
  await entryForm.locator('input[name=date]').fill('2025-08-01');
  await entryForm.locator('select[name=kind]').selectOption('management_fee');
  await entryForm.locator('input[name=amount]').fill('12,345.678');
  await entryForm.locator('input[name=memo]').fill(memo);
  await submit(entryForm);
  assert.match(await page.locator('.notice.error').first().innerText(), /表单有错误/);
  const refused = page.locator(`form[action="/funds/${fundId}/entries"]`);
  assert.match(await refused.locator('#f-entry-amount-error').innerText(), /金额格式不正确/);
  assert.equal(await refused.locator('input[name=memo]').inputValue(), memo, 'the memo is kept');
  assert.equal(await refused.locator('select[name=kind]').inputValue(), 'management_fee', 'the kind is kept');
  await refused.locator('input[name=amount]').fill('12,345.67');
  await submit(refused);
  assert.match(page.url(), new RegExp(`/funds/${fundId}\\?entry=\\d+$`));
  const entryId = new URL(page.url()).searchParams.get('entry');
  assert.match(await page.locator('.notice.success').innerText(), new RegExp(`第 ${entryId} 号分录已登记入账`));
  const ledger = await tableAfter('台账');
  const row = ledger.find((cells) => cells[0] === `#${entryId}`);
  assert.ok(row, `entry #${entryId} is in the ledger`);
  assert.equal(row[2], '管理费');
  assert.equal(row[4], '12345.67');
  assert.equal(row[6], memo);
  await shot(page, 'funds-entry-recorded');

  // Reversing it asks first: dismissed, nothing happens; confirmed, the row says so.
  const reverse = page.locator(`form[action="/funds/${fundId}/entries/${entryId}/reversal"] button`);
  page.once('dialog', (dialog) => dialog.dismiss());
  await reverse.click();
  assert.equal(await reverse.count(), 1, 'dismissed: still there to reverse');
  assert.match(page.url(), /\?entry=\d+$/);
  page.once('dialog', (dialog) => {
    assert.match(dialog.message(), new RegExp(`确定冲销第 ${entryId} 号分录`));
    dialog.accept();
  });
  await Promise.all([page.waitForURL(/\?reversal=\d+$/), reverse.click()]);
  const reversalId = new URL(page.url()).searchParams.get('reversal');
  assert.match(
    await page.locator('.notice.success').innerText(),
    new RegExp(`第 ${entryId} 号分录已由第 ${reversalId} 号分录冲销`),
  );
  const reversed = (await tableAfter('台账')).find((cells) => cells[0] === `#${entryId}`);
  assert.equal(reversed[8], `已由第 ${reversalId} 号冲销`);

  // A capital call through the form: on to its notice, then a partner's printable page.
  const callForm = page.locator(`form[action="/funds/${fundId}/notices"]`).filter({ has: page.locator('input[name=kind][value=call]') });
  await callForm.locator('input[name=notice_date]').fill('2025-08-01');
  await callForm.locator('input[name=due_date]').fill('2025-08-15');
  await callForm.locator('input[name=total]').fill('1,000,000.00');
  await callForm.locator('input[name=investment]').fill('900000');
  await callForm.locator('input[name=fees]').fill('100000');
  await callForm.locator('input[name=memo]').fill(`浏览器测试缴款（${RUN_ID}）`);
  await submit(callForm);
  assert.match(page.url(), new RegExp(`/funds/${fundId}/notices/\\d+\\?issued=1$`));
  assert.match(await page.locator('h1').innerText(), /^缴款通知 #\d+$/);
  assert.match(await page.locator('.notice.success').innerText(), /已发出，按认缴比例分摊给 4 个合伙人/);
  const lines = await page.locator('table.data tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.cells].map((cell) => cell.innerText.trim())),
  );
  const total = lines.find((cells) => cells[0] === '合计');
  assert.equal(total[2], '1000000.00', 'the lines add up to the total');
  const noticeUrl = page.url().replace(/\?.*$/, '');
  await shot(page, 'funds-call-notice');

  await Promise.all([page.waitForURL(/\/print$/), page.locator('table.data a', { hasText: '打印' }).first().click()]);
  assert.equal(await page.locator('body').getAttribute('class'), 'printable');
  assert.match(await page.locator('main').innerText(), /基金管理人/);
  assert.match(await page.locator('main').innerText(), /2025-08-15/, 'the due date');
  await shot(page, 'funds-call-print');

  // The payment of the call, on the notice's page.
  await page.goto(noticeUrl);
  const payment = page.locator(`form[action$="/payments"]`);
  await payment.locator('input[name=date]').fill('2025-08-10');
  await submit(payment);
  assert.match(await page.locator('.notice.success').innerText(), /缴款已登记入账/);
  assert.equal(await page.locator('form[action$="/payments"]').count(), 0, 'nothing left to pay');

  assert.deepEqual(pageErrors, [], 'no script errors');
});
