// 导入台账 in the browser: a promoter uploads a messy lead ledger (a title and a note above
// the header, amounts with units and thousands separators, dates written four ways, a bad
// amount, a date in the future, a 合计 row, a column Fenglai does not know), sees the row
// errors named by cell in the preview, maps the unknown column, imports skipping the bad
// rows, and downloads the error report.
//
// Run: bash .ci/run (everything) or bash .ci/e2e.sh (only the browser tests).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { baseUrl, launch, login, newPage, screenshot, step, submit, submitButton } from '../lib/fenglai.mjs';

describe('导入台账: preview with cell errors, a mapping changed, bad rows skipped, the error report', () => {
  const stamp = `${Date.now()}`.slice(-8);
  const name = (s) => `凤来导入测试${s}科技有限公司${stamp}`;
  // rows 4-7 are data; C5 and D6 are wrong; row 8 is the 合计 row; 经办人 is no header Fenglai knows
  const csv = [
    '凤城区招商线索台账（2024年）',
    '填报单位：凤城市投资促进局',
    '序号,企业名称,计划投资(万元),报送日期,经办人',
    `1, ${name('甲')} ,1.5亿,2024年3月15日,张伟`,
    `2,${name('乙')},约一个亿,2024-03-15,李娜`,
    `3,${name('丙')},800,2099-01-01,王强`,
    `4,${name('丁')},"3,000",2024.3.15,赵敏`,
    '合计,,,,',
    '',
  ].join('\r\n');
  let browser;
  let promoter;
  let importUrl;

  before(async () => {
    browser = await launch();
    promoter = await newPage(browser);
  });

  after(async () => {
    await browser?.close();
  });

  it('uploads the ledger and sees each bad row named by its cell', async () => {
    const { page } = promoter;
    await step(page, 'import-upload', async () => {
      await login(page, 'promoter');
      await page.goto(`${baseUrl()}/imports/new?kind=leads`);
      const form = page.locator('form[action="/imports"]');
      await form.locator('select[name="kind"]').selectOption('leads');
      await form.locator('input[name="file"]').setInputFiles({
        name: '线索台账.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(csv, 'utf8'),
      });
      await submit(page, submitButton(form, '上传并预览'));
      importUrl = page.url();
      assert.match(new URL(importUrl).pathname, /^\/imports\/\d+$/, `no preview: ${importUrl}`);
      const body = await page.locator('body').innerText();
      assert.match(body, /表头在第 3 行，数据从第 4 行开始/);
      assert.match(body, /2\s*行可导入，\s*2\s*行有错误/);
      assert.ok(body.includes('C5 总投资：无法识别的金额“约一个亿”'), body);
      assert.ok(body.includes('D6 报送日期：报送日期不能晚于今天'), body);
      // the bad cells are marked in the first rows
      assert.equal(await page.locator('table.imp td.bad').count(), 2);
      await screenshot(page, 'import-preview');
    });
  });

  it('maps the column it did not know', async () => {
    const { page } = promoter;
    await step(page, 'import-mapping', async () => {
      const form = page.locator('form[action$="/mapping"]').filter({ has: page.locator('select[name="field_4"]') });
      assert.equal(await form.locator('select[name="field_4"]').inputValue(), '', '经办人 starts unmapped');
      await form.locator('select[name="field_4"]').selectOption('contact_name');
      await submit(page, submitButton(form, '按此对应关系重新校验'));
      assert.equal(page.url(), importUrl);
      assert.equal(await page.locator('select[name="field_4"]').inputValue(), 'contact_name');
      const head = await page.locator('table.imp thead').innerText();
      assert.ok(head.includes('E 联系人'), head);
      const body = await page.locator('body').innerText();
      assert.match(body, /2\s*行可导入，\s*2\s*行有错误/);
    });
  });

  it('imports the good rows, skipping the bad ones, and downloads the error report', async () => {
    const { page, problems } = promoter;
    await step(page, 'import-commit', async () => {
      const form = page.locator('form[action$="/commit"]');
      await form.locator('input[name="skip_bad_rows"]').check();
      // pressed once with the sending held back in the page, the button says the import
      // is under way and cannot send it twice
      await form.evaluate((f) => f.addEventListener('submit', (e) => e.preventDefault(), { once: true }));
      await submitButton(form, '确认导入').click();
      const sent = form.locator('button[type="submit"]');
      assert.ok(await sent.isDisabled(), 'a confirmed import cannot be sent twice');
      assert.match(await sent.innerText(), /正在导入/);
      // then sent
      const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() });
      await form.evaluate((f) => f.submit());
      await navigated;
      await page.waitForLoadState('load');
      const result = page.locator('#result');
      const text = await result.innerText();
      assert.match(text, /已写入\s*2\s*条线索/);
      assert.match(text, /2 行有错误未导入/);
      await screenshot(page, 'import-done');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        result.getByRole('link', { name: '下载错误报告（.xlsx）' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), '线索台账-错误报告.xlsx');
      const bytes = readFileSync(await download.path());
      assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'an .xlsx (zip) file');

      // the imported leads carry the mapped column
      await page.goto(`${baseUrl()}/leads?q=${encodeURIComponent(name('甲'))}`);
      const link = page.getByRole('link', { name: name('甲') });
      await submit(page, link);
      const lead = await page.locator('body').innerText();
      assert.ok(lead.includes('张伟'), lead.slice(0, 600));
      assert.ok(lead.includes('台账导入'), 'the lead history shows the import');
      assert.deepEqual(problems, { pageErrors: [], serverErrors: [], outside: [] });
    });
  });
});
