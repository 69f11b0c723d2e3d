// 全民招商 on a phone: an informant reports a company another unit has already reported, is
// warned before saving and reports anyway; the promoter finds the pair in the 疑似重复 queue,
// compares the two side by side, picks the conflicting contact, merges, and the lead shows
// the 首报 credit split.
//
// Run: bash .ci/run (everything) or bash .ci/e2e.sh (only the browser tests).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { baseUrl, launch, login, newPage, screenshot, step, submit, submitButton } from '../lib/fenglai.mjs';

const PHONE = { width: 390, height: 844 };

describe('疑似重复: warned on a phone, resolved from the queue', () => {
  const stamp = `${Date.now()}`.slice(-8);
  const company = `凤来重复测试新材料有限公司${stamp}`;
  let browser;
  let informant;
  let promoter;
  let first;
  let second;

  before(async () => {
    browser = await launch();
    informant = await newPage(browser);
    await informant.page.setViewportSize(PHONE);
    promoter = await newPage(browser);
  });

  after(async () => {
    await browser?.close();
  });

  /** Fills the report form with `name` and `contact` and presses its button labelled `button`. */
  async function report(page, name, contact, button) {
    const form = page.locator('form').filter({ has: page.locator('input[name="company_name"]') });
    if (name !== null) {
      await form.locator('[name="company_name"]').fill(name);
      await form.locator('[name="contact_name"]').fill(contact);
    }
    await submit(page, submitButton(form, button));
  }

  it('the promoter reports the company first', async () => {
    const { page } = promoter;
    await step(page, 'dup-first', async () => {
      await login(page, 'promoter');
      await page.goto(`${baseUrl()}/leads/new`);
      await report(page, company, '王先生', '提交线索');
      const m = new URL(page.url()).pathname.match(/^\/leads\/(\d+)$/);
      assert.ok(m, `saved without a warning: ${page.url()}`);
      first = m[1];
    });
  });

  it('the informant, on a phone, is warned and reports anyway', async () => {
    const { page } = informant;
    await step(page, 'dup-warned', async () => {
      await login(page, 'informant');
      await page.goto(`${baseUrl()}/leads/new`);
      // the form fits the phone: no sideways scrolling
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `the report form fits a ${PHONE.width}px screen (overflow ${overflow}px)`);
      await report(page, `${company} `.replace('有限公司', '（有限公司）'), '赵女士', '提交线索');
      const warning = page.locator('#dup-warning');
      await warning.waitFor({ state: 'visible' });
      const text = await warning.innerText();
      // the promoter's lead is outside the informant's scope: the warning says only that a
      // likely duplicate exists and whom to ask (the city bureau), nothing of the lead
      assert.ok(text.includes('请向凤城市投资促进局核实'), `the warning sends the informant to the city bureau: ${text}`);
      assert.ok(!text.includes('企业名称相同') && !text.includes(company), text);
      assert.match(new URL(page.url()).pathname, /^\/leads$/, 'nothing saved yet');
      await screenshot(page, 'dup-warning-phone');
      await report(page, null, null, '仍然报送');
      const m = new URL(page.url()).pathname.match(/^\/leads\/(\d+)$/);
      assert.ok(m, `reported anyway: ${page.url()}`);
      second = m[1];
    });
  });

  it('the promoter merges the pair from the queue', async () => {
    const { page, problems } = promoter;
    await step(page, 'dup-queue', async () => {
      await page.goto(`${baseUrl()}/duplicates`);
      const row = page.locator('#pairs tbody tr').filter({ hasText: company });
      assert.equal(await row.count(), 1, 'the pair is queued once');
      await row.getByRole('link', { name: '比较并合并' }).click();
      await page.waitForURL(new RegExp(`/leads/${first}/merge\\?with=${second}$`));
      // the contacts differ: the promoter must pick one
      const conflict = page.locator('tr[data-field="contact_name"]');
      assert.ok((await conflict.getAttribute('class'))?.includes('conflict'));
      await page.locator('input[name="keep_company_name"][value="survivor"]').check();
      await page.locator('input[name="keep_contact_name"][value="duplicate"]').check();
      await screenshot(page, 'dup-merge');
      await submit(page, submitButton(page.locator('form#merge'), '确认合并'));
      assert.equal(new URL(page.url()).pathname, `/leads/${first}`);
      const credits = await page.locator('#credits').innerText();
      assert.ok(credits.includes('凤城市投资促进局') && credits.includes('首报'), credits);
      assert.ok(credits.includes('凤城市发展和改革委员会') && credits.includes('50.0%'), credits);
      await screenshot(page, 'dup-merged');
      await page.goto(`${baseUrl()}/duplicates`);
      assert.equal(await page.locator('#pairs tbody tr').filter({ hasText: company }).count(), 0, 'the queue is clear');
      assert.deepEqual(problems, { pageErrors: [], serverErrors: [], outside: [] });
    });
  });
});
