// The main journey of a 招商人 (promoter), as a person would walk it in the browser:
// log in, read the dashboard, report a lead (after a rejected USCC), admit it to a park as a
// project, try an illegal stage move, sign it, and see the dashboard count the signing.
//
// Run: bash .ci/run (everything) or bash .ci/e2e.sh (only these tests, against a built binary).
// Needs FENGLAI_URL pointing at a freshly started `fenglai demo`. The steps share one browser
// page and run in order; each later step needs the earlier ones. The dashboard counts are
// compared before and after, so nothing else may sign projects on that server meanwhile.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  baseUrl,
  launch,
  login,
  newPage,
  postFormsWithoutCsrf,
  screenshot,
  step,
  submit,
  submitButton,
  today,
} from '../lib/fenglai.mjs';

const STAGES = ['negotiating', 'signed', 'started', 'completed', 'producing', 'at_capacity'];
const STAGE_LABEL = {
  negotiating: '在谈',
  signed: '签约',
  started: '开工',
  completed: '竣工',
  producing: '投产',
  at_capacity: '达产',
  dropped: '中止',
};
const BAD_USCC = '914403001922038217'; // the right check character is not 7

/** Reads the dashboard: the summary sentence and every stage's count in the funnel. */
async function readDashboard(page) {
  await page.goto(`${baseUrl()}/`);
  const summary = (await page.locator('#summary').innerText()).replace(/\s+/g, ' ').trim();
  const counts = {};
  for (const stage of STAGES) {
    const el = page.locator(`[data-stage="${stage}"][data-count]`).first();
    const raw = await el.getAttribute('data-count');
    assert.match(raw ?? '', /^\d+$/, `data-count of [data-stage="${stage}"] should be a whole number, got ${raw}`);
    counts[stage] = Number(raw);
  }
  return { summary, counts };
}

/** "已签约 N 个 X 亿元" out of the summary sentence, or null when it says it differently. */
function signedInSummary(summary) {
  const m = summary.match(/已签约\s*([\d,]+)\s*个[^\d；;]*?([\d,.]+)\s*亿元/);
  return m ? { count: Number(m[1].replace(/,/g, '')), yi: Number(m[2].replace(/,/g, '')) } : null;
}

describe('招商人 journey: report a lead, admit it, sign it, see it on the dashboard', () => {
  const stamp = `${Date.now()}`.slice(-8);
  const company = `凤来浏览器测试智能装备有限公司${stamp}`;
  const date = today();
  let browser;
  let page;
  let problems;
  const state = {};

  const need = (key, what) => {
    assert.ok(state[key] !== undefined, `needs an earlier step to have succeeded: ${what}`);
    return state[key];
  };

  before(async () => {
    browser = await launch();
    ({ page, problems } = await newPage(browser));
  });

  after(async () => {
    await browser?.close();
  });

  it('refuses a wrong password and stays on the login page', async () => {
    await step(page, 'wrong-password', async () => {
      await login(page, 'promoter', 'not-the-password');
      assert.equal(new URL(page.url()).pathname, '/login', 'a wrong password must not log in');
      assert.ok(await page.locator('input[name="password"]').isVisible(), 'the login form is shown again');
    });
  });

  it('logs in as promoter and lands on the dashboard', async () => {
    await step(page, 'login', async () => {
      await page.goto(`${baseUrl()}/login`);
      assert.deepEqual(await postFormsWithoutCsrf(page), [], 'every POST form carries a hidden csrf input');
      await login(page, 'promoter');
      assert.equal(new URL(page.url()).pathname, '/', 'after logging in the dashboard (/) is shown');
      state.loggedIn = true;
    });
  });

  it('shows the summary sentence and the funnel with a count for every stage', async (t) => {
    need('loggedIn', 'log in');
    await step(page, 'dashboard-before', async () => {
      const { summary, counts } = await readDashboard(page);
      for (const words of ['策划对接项目', '计划总投资', '已签约', '已开工', '亿元']) {
        assert.ok(summary.includes(words), `#summary should mention ${words}: "${summary}"`);
      }
      assert.equal(await page.locator('#funnel svg').count() > 0, true, '#funnel holds an inline <svg>');
      const funnelText = await page.locator('#funnel').innerText();
      for (const stage of ['negotiating', 'signed', 'started']) {
        assert.ok(funnelText.includes(STAGE_LABEL[stage]), `#funnel should name the stage ${STAGE_LABEL[stage]}`);
      }
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      // The demo is meant to seed several hundred projects; the journey itself needs none.
      if (total === 0) t.diagnostic(`the demo has no projects in the funnel: ${JSON.stringify(counts)}`);
      state.before = { summary, counts, signed: signedInSummary(summary) };
    });
  });

  it('rejects a USCC with a wrong check character, next to the field, keeping what was typed', async () => {
    need('loggedIn', 'log in');
    await step(page, 'lead-bad-uscc', async () => {
      await page.goto(`${baseUrl()}/leads/new`);
      assert.deepEqual(await postFormsWithoutCsrf(page), [], 'every POST form carries a hidden csrf input');
      const form = page.locator('form').filter({ has: page.locator('input[name="company_name"]') });
      const name = `校验位测试有限公司${stamp}`;
      await form.locator('[name="company_name"]').fill(name);
      await form.locator('[name="uscc"]').fill(BAD_USCC);
      await submit(page, submitButton(form, '提交线索'));

      assert.doesNotMatch(new URL(page.url()).pathname, /^\/leads\/\d+$/, 'a bad USCC must not create a lead');
      const error = page.locator('.field-error').filter({ hasText: '校验位' }).first();
      await error.waitFor({ state: 'visible' });
      // "next to the field": the message sits close to the USCC input on screen.
      const errBox = await error.boundingBox();
      const inputBox = await page.locator('[name="uscc"]').first().boundingBox();
      assert.ok(errBox && inputBox, 'the error and the USCC input are both on screen');
      const gap = Math.max(0, errBox.y - (inputBox.y + inputBox.height), inputBox.y - (errBox.y + errBox.height));
      assert.ok(gap < 120, `the 校验位 error should be next to the USCC field (it is ${Math.round(gap)} px away)`);
      // nothing typed is lost
      assert.equal(await page.locator('[name="company_name"]').first().inputValue(), name, 'company name kept');
      assert.equal(await page.locator('[name="uscc"]').first().inputValue(), BAD_USCC, 'USCC kept for correction');
    });
  });

  it('reports a lead with a planned investment', async () => {
    need('loggedIn', 'log in');
    await step(page, 'lead-new', async () => {
      await page.goto(`${baseUrl()}/leads/new`);
      const form = page.locator('form').filter({ has: page.locator('input[name="company_name"]') });
      await form.locator('[name="company_name"]').fill(company);
      await form.locator('[name="planned_investment_wan"]').fill('50000');
      await form.locator('[name="land_mu"]').fill('120');
      await form.locator('[name="expected_jobs"]').fill('300');
      await form.locator('[name="contact_name"]').fill('王建国');
      await form.locator('[name="contact_phone"]').fill('13800138000');
      await form.locator('[name="description"]').fill('浏览器端到端测试：新能源汽车零部件生产基地，拟租用标准厂房。');
      const channel = form.locator('select[name="channel"]');
      if ((await channel.count()) > 0 && (await channel.inputValue()) === '') {
        const values = await channel.locator('option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
        if (values.length > 0) await channel.selectOption(values[0]);
      }
      await submit(page, submitButton(form, '提交线索'));

      const m = new URL(page.url()).pathname.match(/^\/leads\/(\d+)$/);
      assert.ok(m, `a valid lead redirects to /leads/{id}, got ${page.url()}`);
      state.leadId = m[1];
      assert.ok((await page.locator('body').innerText()).includes(company), 'the lead page shows the company name');
    });
  });

  it('admits the lead to a park as a project in 在谈', async () => {
    need('leadId', 'report a lead');
    await step(page, 'admit', async () => {
      await page.goto(`${baseUrl()}/leads/${state.leadId}`);
      assert.deepEqual(await postFormsWithoutCsrf(page), [], 'every POST form carries a hidden csrf input');
      const form = page.locator('form#admit');
      const parks = await form
        .locator('select[name="park_id"] option')
        .evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
      assert.ok(parks.length > 0, 'the park list offers at least one park');
      await form.locator('select[name="park_id"]').selectOption(parks[0]);
      await form.locator('input[name="date"]').fill(date);
      // a lead without an environmental category crosses a red line: the promoter names it
      await form.locator('select[name="env_category"]').selectOption('登记表');
      await submit(page, submitButton(form, '入库'));

      const m = new URL(page.url()).pathname.match(/^\/projects\/(\d+)$/);
      assert.ok(m, `admitting redirects to /projects/{id}, got ${page.url()}`);
      state.projectId = m[1];
      const stage = (await page.locator('#stage').innerText()).trim();
      assert.ok(stage.includes('在谈'), `a newly admitted project is 在谈, #stage says "${stage}"`);
    });
  });

  it('refuses to skip from 在谈 straight to 开工, with an error and no change', async () => {
    need('projectId', 'admit the lead');
    await step(page, 'illegal-move', async () => {
      await page.goto(`${baseUrl()}/projects/${state.projectId}`);
      assert.deepEqual(await postFormsWithoutCsrf(page), [], 'every POST form carries a hidden csrf input');
      const form = page.locator('form#transition');
      await form.locator('select[name="to"]').selectOption('started');
      await form.locator('input[name="date"]').fill(date);
      await submit(page, submitButton(form, '提交'));

      const flash = page.locator('.flash-error').first();
      await flash.waitFor({ state: 'visible' });
      assert.ok((await flash.innerText()).trim().length > 0, 'the error says why');
      await page.goto(`${baseUrl()}/projects/${state.projectId}`);
      const stage = (await page.locator('#stage').innerText()).trim();
      assert.ok(stage.includes('在谈'), `the refused move changed nothing: #stage says "${stage}"`);
    });
  });

  it('signs the project (签约) with a contract amount of 50000 万元', async () => {
    need('projectId', 'admit the lead');
    await step(page, 'sign', async () => {
      await page.goto(`${baseUrl()}/projects/${state.projectId}`);
      const form = page.locator('form#transition');
      await form.locator('select[name="to"]').selectOption('signed');
      await form.locator('input[name="date"]').fill(date);
      await form.locator('input[name="amount_wan"]').fill('50000');
      await submit(page, submitButton(form, '提交'));

      assert.equal(await page.locator('.flash-error').count(), 0, 'signing with an amount is allowed');
      if (!new URL(page.url()).pathname.endsWith(`/projects/${state.projectId}`)) {
        await page.goto(`${baseUrl()}/projects/${state.projectId}`);
      }
      const stage = (await page.locator('#stage').innerText()).trim();
      assert.ok(stage.includes('签约'), `#stage should say 签约, says "${stage}"`);
      const timeline = await page.locator('#timeline').innerText();
      assert.ok(timeline.includes('签约'), `#timeline should list the signing: "${timeline.slice(0, 300)}"`);
      await screenshot(page, 'project');
      state.signed = true;
    });
  });

  it('counts the signing on the dashboard: exactly one more signed project', async () => {
    need('signed', 'sign the project');
    need('before', 'read the dashboard');
    await step(page, 'dashboard-after', async () => {
      const { summary, counts } = await readDashboard(page);
      assert.equal(
        counts.signed,
        state.before.counts.signed + 1,
        `signed count: ${state.before.counts.signed} before, ${counts.signed} after; expected one more`,
      );
      for (const words of ['策划对接项目', '已签约', '已开工', '亿元']) {
        assert.ok(summary.includes(words), `#summary should mention ${words}: "${summary}"`);
      }
      const before = state.before.signed;
      const now = signedInSummary(summary);
      if (before && now) {
        assert.equal(now.count, before.count + 1, `#summary 已签约: "${state.before.summary}" → "${summary}"`);
        // planned and contract amounts are both 50000 万元 = 5 亿元
        assert.ok(
          Math.abs(now.yi - before.yi - 5) < 0.051,
          `#summary 已签约 amount should grow by 5 亿元: "${state.before.summary}" → "${summary}"`,
        );
      }
      await page.locator('#funnel svg').first().waitFor({ state: 'visible' });
      await screenshot(page, 'dashboard');
    });
  });

  it('loaded nothing from other hosts, raised no page errors and no server errors', () => {
    assert.deepEqual(problems.outside, [], 'Fenglai is offline: every asset comes from its own server');
    assert.deepEqual(problems.pageErrors, [], 'no JavaScript errors on any page');
    assert.deepEqual(problems.serverErrors, [], 'no 5xx answers');
  });
});
