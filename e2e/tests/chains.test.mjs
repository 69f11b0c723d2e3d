// 产业链招商 as a chain chief works it:
//
// the chief (leader, 王市长, 链长 of the demo chain 新能源电池) opens the chain from the 产业链
// menu, finds a link classed 缺, generates a target list for it (companies outside the city,
// each score explained), assigns three targets to a promoter (李招商), converts one into a
// lead — which then shows on the list — and opens the 招商地图, where a click on the
// busiest province lists its targets.
//
// Run: bash .ci/run (everything) or bash .ci/e2e.sh (only the browser tests, against a built
// binary). Needs FENGLAI_URL pointing at a freshly started `fenglai demo`. It makes one new
// target list and one new lead (of a registry company no other test touches); no other test
// file looks at chains.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { baseUrl, launch, login, newPage, postFormsWithoutCsrf, screenshot, step, submit, submitButton } from '../lib/fenglai.mjs';

const CHAIN = '新能源电池';
const PROMOTER = '李招商';

async function text(locator) {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

describe('产业链招商: the chief opens a chain, sees a 缺 link, generates targets, assigns three, converts one', () => {
  let browser;
  let s;
  const state = {};

  before(async () => {
    browser = await launch();
    s = await newPage(browser);
  });

  after(async () => {
    await browser?.close();
    assert.deepEqual(
      s?.problems,
      { pageErrors: [], serverErrors: [], outside: [] },
      'no page errors, no server errors, nothing fetched from elsewhere',
    );
  });

  it('the chief opens the chain and finds a 缺 link', async () => {
    const { page } = s;
    await step(page, 'chains-open', async () => {
      await login(page, 'leader');
      await page.getByRole('navigation').getByRole('link', { name: '产业链', exact: true }).click();
      await page.waitForURL((u) => u.pathname === '/chains');
      const row = page.locator('#chains tr', { hasText: CHAIN });
      assert.ok((await text(row)).includes('王市长'), 'the leader is the chain\'s 链长');
      await submit(page, row.getByRole('link', { name: CHAIN }));
      assert.match(new URL(page.url()).pathname, /^\/chains\/\d+$/);
      assert.ok((await text(page.locator('h1'))).includes(CHAIN));
      assert.deepEqual(await postFormsWithoutCsrf(page), [], 'every POST form carries a hidden csrf input');
      const classes = await page.locator('.card.link').evaluateAll((cs) => cs.map((c) => c.dataset.class));
      assert.ok(classes.includes('strong') || classes.includes('weak'), `some links are present locally: ${classes}`);
      const gap = page.locator('.card.link[data-class="missing"]').first();
      assert.equal(await gap.count(), 1, 'the chain has a 缺 link');
      assert.equal(await text(gap.locator('[data-testid="class"]')), '缺');
      assert.ok((await text(gap)).includes('补链'), 'a 缺 link asks for 补链');
      state.link = await gap.getAttribute('data-link');
      state.linkName = await text(gap.locator('h3'));
      await screenshot(page, 'chain');
    });
  });

  it('generates a target list for the 缺 link', async () => {
    const { page } = s;
    assert.ok(state.link, 'needs the 缺 link');
    await step(page, 'chains-generate', async () => {
      const form = page.locator(`#link-${state.link} form.generate`);
      await submit(page, submitButton(form, '生成目标名单'));
      assert.match(new URL(page.url()).pathname, /^\/target-lists\/\d+$/, 'generating opens the new list');
      state.list = new URL(page.url()).pathname;
      const rows = page.locator('#targets tbody tr');
      assert.ok((await rows.count()) >= 3, 'the list has at least three targets');
      const first = await text(rows.first());
      assert.match(first, /行业代码 \d{4}/, `each score is explained: ${first}`);
      await screenshot(page, 'target-list');
    });
  });

  it(`assigns three targets to ${PROMOTER} and converts one into a lead`, async () => {
    const { page } = s;
    assert.ok(state.list, 'needs the target list');
    await step(page, 'chains-assign', async () => {
      const boxes = page.locator('#targets input[name="target"]');
      for (let i = 0; i < 3; i += 1) await boxes.nth(i).check();
      const select = page.locator('select[name="user_id"]');
      const options = await select.locator('option').evaluateAll((os) => os.map((o) => ({ v: o.value, t: o.textContent })));
      const hit = options.find((o) => o.t.startsWith(PROMOTER));
      assert.ok(hit, `the promoter is offered: ${options.map((o) => o.t).join(' | ')}`);
      await select.selectOption(hit.v);
      await submit(page, page.locator('#assign'));
      assert.equal(new URL(page.url()).pathname, state.list, 'assigning returns to the list');
      assert.equal(await text(page.locator('#notice')), '已指派 3 个目标');
      const assignees = await page.locator('#targets td.assignee').evaluateAll((tds) => tds.map((td) => td.textContent.trim()));
      assert.deepEqual(assignees.slice(0, 3), [PROMOTER, PROMOTER, PROMOTER], 'the first three are the promoter\'s');
    });
    await step(page, 'chains-convert', async () => {
      const row = page.locator('#targets tbody tr').first();
      state.company = (await row.locator('td').nth(2).innerText()).split('\n')[0].trim();
      await submit(page, row.locator('button.convert'));
      assert.equal(new URL(page.url()).pathname, state.list, 'converting returns to the list');
      assert.match(await text(page.locator('#notice')), /^已转为线索 #\d+$/);
      const link = page.locator('#targets tbody tr').first().locator('a.lead-link');
      assert.equal(await link.count(), 1, 'the target now links to its lead');
      await submit(page, link);
      assert.match(new URL(page.url()).pathname, /^\/leads\/\d+$/);
      assert.ok((await text(page.locator('h1'))).includes(state.company), `the lead is ${state.company}`);
      await screenshot(page, 'target-lead');
    });
  });

  it('the 招商地图 shades provinces and lists a province\'s targets on a click', async () => {
    const { page } = s;
    await step(page, 'chains-map', async () => {
      await page.goBack();
      await page.locator('h1 small a').first().click();
      await page.waitForURL((u) => /^\/chains\/\d+$/.test(u.pathname));
      await submit(page, page.locator('#map-link'));
      assert.match(new URL(page.url()).pathname, /^\/chains\/\d+\/map$/);
      const shaded = page.locator('#china-map path:not([fill="#eef0f3"])');
      assert.ok((await shaded.count()) >= 1, 'some provinces have targets');
      const province = shaded.first().locator('xpath=..');
      const code = await province.getAttribute('data-province');
      // the outline's own link, whatever lies at the centre of its bounding box
      const navigated = page.waitForURL((u) => u.searchParams.get('province') === code);
      await province.dispatchEvent('click');
      await navigated;
      assert.equal(new URL(page.url()).searchParams.get('province'), code);
      assert.ok((await page.locator('#province-targets tbody tr').count()) >= 1, 'the province lists its targets');
      assert.ok((await text(page.locator('#parks-links'))).includes('凤城经济技术开发区'), 'the city\'s parks are listed with their links');
      await screenshot(page, 'chain-map');
    });
  });
});
