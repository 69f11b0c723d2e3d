// Two intake journeys, each person in their own browser context:
//
// 1. Routing (园区匹配): the 招商人 (promoter) reports a lead and sends it to 凤城经济技术开发区;
//    the park's receiver (park) declines it with a reason; the promoter sees it came back, with
//    the reason, and re-routes it to 凤城高新技术产业开发区, whose receiver (park2) accepts it.
// 2. Pre-review (预审): the promoter sends a lead to 凤城市招商项目预审专班; its members
//    (reviewer, park, collab) score it blind — no member sees the others' scores before
//    submitting their own — and the promoter records the decision 入库.
//
// Run: bash .ci/run (everything) or bash .ci/e2e.sh (only the browser tests, against a built
// binary). Needs FENGLAI_URL pointing at a freshly started `fenglai demo` (every demo account's
// password is `demo`). Within a journey the steps run in order; each later step needs the earlier
// ones. The journeys use their own, newly reported leads, so they do not depend on
// journey.test.mjs; the 两张皮 figures are compared before and after, so nothing else may route
// leads on that server meanwhile.
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
} from '../lib/fenglai.mjs';

const PARK_A = '凤城经济技术开发区'; // receiver: park (周园区)
const PARK_B = '凤城高新技术产业开发区'; // receiver: park2 (钱园区)
const PANEL = '凤城市招商项目预审专班'; // members: reviewer, park, collab; quorum 3, pass 60
const CONTACT = '王建国';

/** Whitespace-collapsed visible text of a locator. */
async function text(locator) {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

/**
 * Opens a fresh browser context (its own cookies) for `username`, logs in and checks that the
 * dashboard answered. Every context's problems are collected in `sink`.
 */
async function signIn(browser, sink, username) {
  const s = await newPage(browser);
  sink.push({ username, problems: s.problems });
  await step(s.page, `login-${username}`, async () => {
    await login(s.page, username);
    assert.equal(new URL(s.page.url()).pathname, '/', `${username} logs in and lands on the dashboard`);
  });
  return s;
}

/** The value of the option of `select` (a Locator) whose text starts with `label`. */
async function optionStartingWith(select, label) {
  const options = await select
    .locator('option')
    .evaluateAll((os) => os.map((o) => ({ value: o.value, text: o.textContent.trim() })));
  const hit = options.find((o) => o.text.startsWith(label));
  assert.ok(hit, `the select offers "${label}"; it offers: ${options.map((o) => o.text).join(' | ')}`);
  return hit.value;
}

/** Reports a lead as the logged-in promoter on /leads/new and returns its id. */
async function reportLead(page, { company, industry, description }) {
  await page.goto(`${baseUrl()}/leads/new`);
  assert.deepEqual(await postFormsWithoutCsrf(page), [], 'every POST form carries a hidden csrf input');
  const form = page.locator('form').filter({ has: page.locator('input[name="company_name"]') });
  await form.locator('[name="company_name"]').fill(company);
  // the industry picker searches the code table as one types and offers the code in its datalist
  const industryInput = form.locator('input[name="industry_code"]');
  await industryInput.pressSequentially(industry, { delay: 30 });
  await page.locator(`#industry-list option[value="${industry}"]`).waitFor({ state: 'attached' });
  assert.equal(await industryInput.inputValue(), industry, 'the industry code stays as typed');
  await form.locator('[name="planned_investment_wan"]').fill('60000');
  await form.locator('[name="land_mu"]').fill('100');
  await form.locator('[name="expected_jobs"]').fill('400');
  await form.locator('select[name="env_category"]').selectOption('登记表');
  await form.locator('[name="expected_tax_wan"]').fill('3000');
  const channel = form.locator('select[name="channel"]');
  const channels = await channel.locator('option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  if (channels.length > 0) await channel.selectOption(channels[0]);
  await form.locator('[name="contact_name"]').fill(CONTACT);
  await form.locator('[name="contact_phone"]').fill('13800138000');
  await form.locator('[name="description"]').fill(description);
  await submit(page, submitButton(form, '提交线索'));

  const m = new URL(page.url()).pathname.match(/^\/leads\/(\d+)$/);
  assert.ok(m, `a valid lead redirects to /leads/{id}, got ${page.url()}`);
  assert.ok((await text(page.locator('h1'))).includes(company), 'the lead page is headed with the company name');
  assert.equal(await text(page.locator('#env-category')), '登记表', 'the 环评类别 is recorded');
  assert.equal(await text(page.locator('h1 .tag')), '待预审', 'a new lead is 待预审');
  return m[1];
}

/** The 两张皮 figures of one park on /routings/stats (#by-park): sent, accepted, declined, pending. */
async function parkFigures(page, park) {
  await page.goto(`${baseUrl()}/routings/stats`);
  await page.locator('#routing-summary').waitFor({ state: 'visible' });
  const row = page.locator('#by-park tbody tr').filter({ has: page.locator('td', { hasText: park }) });
  if ((await row.count()) === 0) return { sent: 0, accepted: 0, declined: 0, pending: 0 };
  const cells = await row.first().locator('td').allInnerTexts();
  assert.equal(cells[0].trim(), park, `#by-park row is ${park}`);
  const [sent, accepted, declined, pending] = cells.slice(1, 5).map((c) => Number(c.trim()));
  return { sent, accepted, declined, pending };
}

/** The row of the lead page's 分派记录 table for `park`. */
function routingRow(page, park) {
  return page.locator('#lead-routings tbody tr').filter({ has: page.locator('td', { hasText: park }) });
}

describe('园区匹配: a park declines a lead with a reason, the promoter re-routes it, another park accepts', () => {
  const stamp = `${Date.now()}`.slice(-8);
  const company = `凤来分派测试电子电路有限公司${stamp}`;
  const declineReason = `主导产业与地块暂不匹配，建议转高新区（测试${stamp}）`;
  const acceptNote = `高新区承接，安排M0地块踏勘（测试${stamp}）`;
  let browser;
  const sessions = [];
  let promoter;
  const state = {};

  const need = (key, what) => {
    assert.ok(state[key] !== undefined, `needs an earlier step to have succeeded: ${what}`);
    return state[key];
  };

  before(async () => {
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
  });

  it('the promoter reports a lead with an industry code and a 环评类别', async () => {
    promoter = await signIn(browser, sessions, 'promoter');
    const { page } = promoter;
    await step(page, 'routing-figures-before', async () => {
      state.before = { a: await parkFigures(page, PARK_A), b: await parkFigures(page, PARK_B) };
    });
    await step(page, 'routing-lead-new', async () => {
      state.leadId = await reportLead(page, {
        company,
        industry: '3982',
        description: '浏览器端到端测试：集成电路配套的电子电路（PCB）生产线，拟购地新建厂房。',
      });
    });
  });

  it(`routes the lead from its page (园区匹配) to ${PARK_A}`, async () => {
    const leadId = need('leadId', 'report a lead');
    const { page } = promoter;
    await step(page, 'route-to-park-a', async () => {
      await page.goto(`${baseUrl()}/leads/${leadId}`);
      assert.deepEqual(await postFormsWithoutCsrf(page), [], 'every POST form carries a hidden csrf input');
      const ranking = page.locator('#ranking tbody tr');
      assert.ok((await ranking.count()) >= 2, 'the 园区匹配 section ranks the parks');
      assert.ok(
        (await text(page.locator('#ranking'))).includes(PARK_A),
        `the ranking names ${PARK_A}`,
      );
      assert.equal(await page.locator('#lead-routings').count(), 0, 'nothing has been routed yet');

      const form = page.locator('form#route');
      const select = form.locator('select[name="park_id"]');
      await select.selectOption(await optionStartingWith(select, PARK_A));
      await submit(page, submitButton(form, '分派'));

      assert.equal(new URL(page.url()).pathname, `/leads/${leadId}`, 'routing returns to the lead page');
      assert.equal(await page.locator('.flash-error').count(), 0, 'routing is allowed');
      const row = routingRow(page, PARK_A);
      assert.equal(await row.count(), 1, `the 分派记录 lists the routing to ${PARK_A}`);
      assert.equal(await text(row.locator('.tag')), '待答复', 'the routing awaits the park');
      assert.ok((await text(row)).includes('李招商'), 'the 分派记录 names the sender');
      assert.equal(await page.locator('form#route').count(), 0, 'no second routing while one is pending');
      state.routed = true;
    });
  });

  it(`${PARK_A}'s receiver declines it at /routings with a reason`, async () => {
    const leadId = need('leadId', 'report a lead');
    need('routed', 'route the lead');
    const park = await signIn(browser, sessions, 'park');
    const { page } = park;
    try {
      await step(page, 'park-decline', async () => {
        await page.goto(`${baseUrl()}/routings`);
        assert.deepEqual(await postFormsWithoutCsrf(page), [], 'every POST form carries a hidden csrf input');
        const card = page.locator('#inbox article.routing').filter({ hasText: company });
        assert.equal(await card.count(), 1, 'the routing is in the park\'s inbox');
        assert.equal(await text(card.locator('.tag').first()), '待答复', 'it awaits an answer');
        assert.ok((await text(card)).includes('李招商'), 'the inbox names who sent it');
        state.routingA = await card.getAttribute('data-routing');

        const form = card.locator('form.decline');
        await form.locator('input[name="reason"]').fill(declineReason);
        await submit(page, submitButton(form, '退回'));

        assert.equal(new URL(page.url()).pathname, '/routings', 'answering returns to /routings');
        assert.equal(await page.locator('.flash-error, .field-error').count(), 0, 'declining with a reason is allowed');
        const after = page.locator(`#inbox article.routing[data-routing="${state.routingA}"]`);
        assert.equal(await text(after.locator('.tag').first()), '已退回', 'the routing is now 已退回');
        assert.ok((await text(after)).includes(declineReason), 'the park sees the reason it gave');
        assert.equal(await after.locator('form').count(), 0, 'an answered routing offers no more answers');
        await screenshot(page, 'routing-declined-by-park');
      });
      await step(page, 'park-lead-contact-withheld', async () => {
        // a park that declined the lead reaches it, but not the investor's contact
        await page.goto(`${baseUrl()}/leads/${leadId}`);
        const body = await text(page.locator('main'));
        assert.ok(body.includes(company), 'the park can open the lead it was sent');
        assert.ok(!body.includes(CONTACT), 'the contact is withheld from a park that has not accepted');
        assert.ok(body.includes('（保密）'), 'the contact shows as （保密）');
      });
      state.declined = true;
    } finally {
      await park.context.close();
    }
  });

  it('the promoter sees the lead came back, with the reason, and re-routes it to another park', async () => {
    const leadId = need('leadId', 'report a lead');
    need('declined', 'the park declines');
    const { page } = promoter;
    await step(page, 'promoter-sees-declined', async () => {
      await page.goto(`${baseUrl()}/routings`);
      const row = page.locator(`#sent tr[data-routing="${state.routingA}"]`);
      assert.equal(await row.count(), 1, 'the promoter\'s 已分派的线索 lists the routing');
      const rowText = await text(row);
      assert.ok(rowText.includes(company) && rowText.includes(PARK_A), `the row names the company and ${PARK_A}`);
      assert.equal(await text(row.locator('.tag')), '已退回', 'it shows as 已退回');
      assert.ok(rowText.includes(declineReason), 'the park\'s reason is shown to the promoter');
      await screenshot(page, 'routing-declined-promoter');

      // 重新分派 leads back to the lead's 园区匹配 section
      await submit(page, row.getByRole('link', { name: '重新分派' }));
      assert.equal(new URL(page.url()).pathname, `/leads/${leadId}`, '重新分派 opens the lead page');
      const back = routingRow(page, PARK_A);
      assert.equal(await text(back.locator('.tag')), '已退回', `the 分派记录 shows ${PARK_A} 已退回`);
      assert.ok((await text(back)).includes(declineReason), 'with the park\'s reason');
    });
    await step(page, 'reroute-to-park-b', async () => {
      const form = page.locator('form#route');
      assert.equal(await form.count(), 1, 'a declined lead can be routed again');
      const select = form.locator('select[name="park_id"]');
      const offered = await select.locator('option').allInnerTexts();
      assert.ok(
        !offered.some((o) => o.trim().startsWith(PARK_A)),
        `the park that declined is not offered again: ${offered.join(' | ')}`,
      );
      await select.selectOption(await optionStartingWith(select, PARK_B));
      await submit(page, submitButton(form, '分派'));

      assert.equal(new URL(page.url()).pathname, `/leads/${leadId}`, 'routing returns to the lead page');
      assert.equal(await page.locator('.flash-error').count(), 0, 're-routing is allowed');
      assert.equal(await text(routingRow(page, PARK_B).locator('.tag')), '待答复', `${PARK_B} is asked`);
      assert.equal(await text(routingRow(page, PARK_A).locator('.tag')), '已退回', 'the decline stays on record');
      state.rerouted = true;
    });
  });

  it(`${PARK_B}'s receiver accepts it at /routings`, async () => {
    const leadId = need('leadId', 'report a lead');
    need('rerouted', 're-route the lead');
    const park2 = await signIn(browser, sessions, 'park2');
    const { page } = park2;
    try {
      await step(page, 'park2-accept', async () => {
        await page.goto(`${baseUrl()}/routings`);
        const card = page.locator('#inbox article.routing').filter({ hasText: company });
        assert.equal(await card.count(), 1, `the routing is in ${PARK_B}'s inbox`);
        assert.equal(await text(card.locator('.tag').first()), '待答复', 'it awaits an answer');
        const id = await card.getAttribute('data-routing');
        assert.notEqual(id, state.routingA, 'a new routing, not the declined one');

        const form = card.locator('form.accept');
        await form.locator('input[name="reason"]').fill(acceptNote);
        await submit(page, submitButton(form, '承接'));

        assert.equal(new URL(page.url()).pathname, '/routings', 'answering returns to /routings');
        assert.equal(await page.locator('.flash-error, .field-error').count(), 0, 'accepting is allowed');
        const after = page.locator(`#inbox article.routing[data-routing="${id}"]`);
        assert.equal(await text(after.locator('.tag').first()), '已承接', 'the routing is now 已承接');
        assert.ok((await text(after)).includes(acceptNote), 'the note is kept');
        assert.equal(await after.locator('form').count(), 0, 'an answered routing offers no more answers');
        await screenshot(page, 'routing-accepted-by-park2');
      });
      await step(page, 'park2-lead-contact', async () => {
        // the park that accepted the lead needs the investor's contact
        await page.goto(`${baseUrl()}/leads/${leadId}`);
        assert.ok((await text(page.locator('main'))).includes(CONTACT), 'the accepting park sees the contact');
      });
      state.accepted = true;
    } finally {
      await park2.context.close();
    }
  });

  it('the promoter sees the lead accepted, and the 两张皮 figures count the decline and the acceptance', async () => {
    const leadId = need('leadId', 'report a lead');
    need('accepted', 'park2 accepts');
    const { page } = promoter;
    await step(page, 'promoter-sees-accepted', async () => {
      await page.goto(`${baseUrl()}/leads/${leadId}`);
      const b = routingRow(page, PARK_B);
      assert.equal(await text(b.locator('.tag')), '已承接', `the 分派记录 shows ${PARK_B} 已承接`);
      assert.ok((await text(b)).includes(acceptNote), 'with the park\'s note');
      assert.equal(await text(routingRow(page, PARK_A).locator('.tag')), '已退回', `${PARK_A} still 已退回`);
      assert.equal(await page.locator('form#route').count(), 0, 'an accepted lead is not routed again');
      await screenshot(page, 'routing-lead-accepted');
    });
    await step(page, 'routing-figures-after', async () => {
      const before = need('before', 'read the figures');
      const a = await parkFigures(page, PARK_A);
      const b = await parkFigures(page, PARK_B);
      assert.deepEqual(
        { sent: a.sent - before.a.sent, declined: a.declined - before.a.declined, accepted: a.accepted - before.a.accepted },
        { sent: 1, declined: 1, accepted: 0 },
        `${PARK_A}: ${JSON.stringify(before.a)} → ${JSON.stringify(a)}`,
      );
      assert.deepEqual(
        { sent: b.sent - before.b.sent, declined: b.declined - before.b.declined, accepted: b.accepted - before.b.accepted },
        { sent: 1, declined: 0, accepted: 1 },
        `${PARK_B}: ${JSON.stringify(before.b)} → ${JSON.stringify(b)}`,
      );
    });
    await promoter.context.close();
  });

  it('loaded nothing from other hosts, raised no page errors and no server errors', () => {
    for (const { username, problems } of sessions) {
      assert.deepEqual(problems.outside, [], `${username}: every asset comes from Fenglai's own server`);
      assert.deepEqual(problems.pageErrors, [], `${username}: no JavaScript errors on any page`);
      assert.deepEqual(problems.serverErrors, [], `${username}: no 5xx answers`);
    }
  });
});

describe('预审: the panel scores a lead blind, then the promoter admits it (入库)', () => {
  const stamp = `${Date.now()}`.slice(-8);
  const company = `凤来预审测试芯片制造有限公司${stamp}`;
  // each member scores every criterion the same; weighted scores 80, 70 and 90 → mean 80
  const members = [
    { username: 'reviewer', name: '孙专家', score: 8, weighted: '80.0', comment: `技术路线成熟，建议入库（孙${stamp}）` },
    { username: 'park', name: '周园区', score: 7, weighted: '70.0', comment: `园区有净地可供，可承接（周${stamp}）` },
    { username: 'collab', name: '吴规划', score: 9, weighted: '90.0', comment: `用地指标可保障（吴${stamp}）` },
  ];
  let browser;
  const sessions = [];
  let promoter;
  const state = {};

  const need = (key, what) => {
    assert.ok(state[key] !== undefined, `needs an earlier step to have succeeded: ${what}`);
    return state[key];
  };

  before(async () => {
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
  });

  it(`the promoter reports a lead and sends it to ${PANEL}`, async () => {
    promoter = await signIn(browser, sessions, 'promoter');
    const { page } = promoter;
    await step(page, 'review-lead-new', async () => {
      state.leadId = await reportLead(page, {
        company,
        industry: '3973',
        description: '浏览器端到端测试：12英寸集成电路制造项目，拟购地新建洁净厂房。',
      });
    });
    await step(page, 'open-review', async () => {
      const form = page.locator('form#open-review');
      const select = form.locator('select[name="panel_id"]');
      await select.selectOption(await optionStartingWith(select, PANEL));
      await submit(page, submitButton(form, '提交预审'));

      const m = new URL(page.url()).pathname.match(/^\/reviews\/(\d+)$/);
      assert.ok(m, `sending to the panel opens /reviews/{id}, got ${page.url()}`);
      state.reviewId = m[1];
      assert.ok((await text(page.locator('h1'))).includes(company), 'the review is headed with the company');
      assert.ok((await text(page.locator('h1'))).includes('评审中'), 'the review is 评审中');
      const fields = await text(page.locator('dl.fields'));
      assert.ok(fields.includes(PANEL) && fields.includes('法定人数 3') && fields.includes('通过线 60'), `the panel and its rules are shown: ${fields}`);
      const memberList = await text(page.locator('#members'));
      for (const m of members) assert.ok(memberList.includes(m.name), `${m.name} is listed as a member`);
      assert.equal(await page.locator('#members .tag.good').count(), 0, 'nobody has scored yet');
      assert.equal(await page.locator('form#score').count(), 0, 'the promoter is not on the panel and cannot score');
    });
  });

  it('refuses to admit before the quorum has scored', async () => {
    const reviewId = need('reviewId', 'send the lead to the panel');
    const { page } = promoter;
    await step(page, 'decide-too-early', async () => {
      await page.goto(`${baseUrl()}/reviews/${reviewId}`);
      const form = page.locator('form#decide');
      await form.locator('select[name="decision"]').selectOption('admit');
      await submit(page, submitButton(form, '确认决定'));

      const flash = page.locator('.flash-error').first();
      await flash.waitFor({ state: 'visible' });
      assert.ok((await text(flash)).includes('法定人数'), `the error names the quorum: "${await text(flash)}"`);
      await page.goto(`${baseUrl()}/reviews/${reviewId}`);
      assert.ok((await text(page.locator('h1'))).includes('评审中'), 'the refused decision changed nothing');
    });
  });

  for (const [i, member] of members.entries()) {
    it(`${member.username} (${member.name}) scores it without seeing the others' scores first`, async () => {
      const reviewId = need('reviewId', 'send the lead to the panel');
      if (i > 0) need(`scored-${members[i - 1].username}`, `${members[i - 1].username} scores`);
      const s = await signIn(browser, sessions, member.username);
      const { page } = s;
      const earlier = members.slice(0, i);
      try {
        await step(page, `review-blind-${member.username}`, async () => {
          await page.goto(`${baseUrl()}/reviews`);
          const link = page.locator('#my-queue a').filter({ hasText: company });
          assert.equal(await link.count(), 1, 'the review waits in the member\'s 待我评分 queue');
          await submit(page, link);
          assert.equal(new URL(page.url()).pathname, `/reviews/${reviewId}`, 'the queue links to the review');
          assert.deepEqual(await postFormsWithoutCsrf(page), [], 'every POST form carries a hidden csrf input');

          const scores = page.locator('#scores');
          const seen = await text(scores);
          for (const e of earlier) {
            assert.ok(!seen.includes(e.comment), `${e.name}'s comment is hidden before ${member.name} scores`);
            assert.ok(!seen.includes(e.name), `${e.name}'s scorecard is hidden before ${member.name} scores`);
          }
          assert.equal(await page.locator('#cards tr[data-user]').count(), 0, 'no scorecard is shown before scoring');
          assert.equal(await page.locator('#outcome').count(), 0, 'no outcome is shown before scoring');
          if (earlier.length > 0) {
            assert.ok(
              (await text(page.locator('#scores-hidden'))).includes('其他成员评分在您提交后可见'),
              'the page says the others\' scores become visible after submitting',
            );
            // who has scored is no secret, only what they scored
            const memberList = await text(page.locator('#members'));
            for (const e of earlier) {
              const li = page.locator('#members li').filter({ hasText: e.name });
              assert.equal(await text(li.locator('.tag')), '已提交', `${e.name} shows as 已提交: ${memberList}`);
            }
          } else {
            assert.equal(await page.locator('#scores-hidden').count(), 0, 'nothing to hide before anyone scored');
          }
          if (i === 1) await screenshot(page, 'review-blind-before-scoring');
        });

        await step(page, `review-score-${member.username}`, async () => {
          const form = page.locator('form#score');
          const inputs = form.locator('input[name^="score_"]');
          const names = await inputs.evaluateAll((els) => els.map((e) => e.name));
          assert.ok(names.length >= 3, `the form asks for every criterion: ${names.join(', ')}`);
          for (const name of names) await form.locator(`input[name="${name}"]`).fill(String(member.score));
          await form.locator('textarea[name="comment"]').fill(member.comment);
          await submit(page, submitButton(form, '提交评分'));

          assert.equal(new URL(page.url()).pathname, `/reviews/${reviewId}`, 'scoring returns to the review');
          assert.equal(await page.locator('.flash-error').count(), 0, 'the scores are accepted');
          assert.equal(await page.locator('form#score').count(), 0, 'a scorecard is submitted once');
          assert.ok((await text(page.locator('#scores'))).includes('您已提交评分'), 'the page says it was submitted');
          assert.equal(await page.locator('#scores-hidden').count(), 0, 'after scoring nothing is hidden');

          // now every scorecard so far is visible, with its weighted score and comment
          const rows = page.locator('#cards tr[data-user]');
          assert.equal(await rows.count(), i + 1, `${i + 1} scorecard(s) are shown after scoring`);
          for (const m of members.slice(0, i + 1)) {
            const row = rows.filter({ hasText: m.name });
            assert.equal(await row.count(), 1, `${m.name}'s scorecard is shown`);
            assert.equal(await text(row.locator('td').last()), m.weighted, `${m.name}'s weighted score`);
            assert.ok((await text(page.locator('#cards'))).includes(m.comment), `${m.name}'s comment is shown`);
          }
          const outcome = await text(page.locator('#outcome'));
          if (i + 1 < 3) {
            assert.ok(outcome.includes(`已评 ${i + 1} 人`) && outcome.includes('法定人数 3'), `awaiting the quorum: "${outcome}"`);
          } else {
            assert.ok(outcome.includes('80.0') && outcome.includes('达到通过线'), `the panel passes it: "${outcome}"`);
            await screenshot(page, 'review-scored');
          }
        });
        state[`scored-${member.username}`] = true;
      } finally {
        await s.context.close();
      }

      if (i === 1) {
        // the promoter is not on the panel: the scores stay hidden until the quorum is reached
        await step(promoter.page, 'review-promoter-before-quorum', async () => {
          await promoter.page.goto(`${baseUrl()}/reviews/${reviewId}`);
          assert.equal(await promoter.page.locator('#scores-hidden').count(), 1, 'scores are hidden from the promoter');
          assert.equal(await promoter.page.locator('#cards tr[data-user]').count(), 0, 'no scorecard is shown');
          const seen = await text(promoter.page.locator('#scores'));
          for (const m of members.slice(0, 2)) assert.ok(!seen.includes(m.comment), `${m.name}'s comment is hidden`);
        });
      }
    });
  }

  it('the promoter sees all three scorecards and records the decision 入库', async () => {
    const reviewId = need('reviewId', 'send the lead to the panel');
    need('scored-collab', 'all three members score');
    const { page } = promoter;
    await step(page, 'review-decide', async () => {
      await page.goto(`${baseUrl()}/reviews/${reviewId}`);
      assert.equal(await page.locator('#scores-hidden').count(), 0, 'with the quorum reached nothing is hidden');
      assert.equal(await page.locator('#cards tr[data-user]').count(), 3, 'all three scorecards are shown');
      const outcome = await text(page.locator('#outcome'));
      assert.ok(outcome.includes('综合得分 80.0') && outcome.includes('达到通过线'), `the outcome: "${outcome}"`);

      const form = page.locator('form#decide');
      const decision = form.locator('select[name="decision"]');
      assert.equal(await decision.inputValue(), 'admit', 'a passing review suggests 入库');
      await decision.selectOption('admit');
      const park = form.locator('select[name="park_id"]');
      await park.selectOption(await optionStartingWith(park, PARK_A));
      await form.locator('textarea[name="reason"]').fill(`专班评分通过（测试${stamp}）`);
      await submit(page, submitButton(form, '确认决定'));

      const m = new URL(page.url()).pathname.match(/^\/projects\/(\d+)$/);
      assert.ok(m, `入库 opens the new project, got ${page.url()}`);
      state.projectId = m[1];
      assert.ok((await text(page.locator('#stage'))).includes('在谈'), 'the new project is 在谈');
      assert.ok((await text(page.locator('main'))).includes(company), 'the project carries the company');
    });
    await step(page, 'review-admitted', async () => {
      await page.goto(`${baseUrl()}/leads/${state.leadId}`);
      assert.equal(await text(page.locator('h1 .tag')), '已入库', 'the lead shows as 已入库');
      const row = page.locator('#reviews tbody tr').filter({ hasText: PANEL });
      assert.equal(await row.count(), 1, 'the lead lists its review');
      const rowText = await text(row);
      assert.ok(rowText.includes('已决定') && rowText.includes('入库'), `the review is decided 入库: "${rowText}"`);
      assert.ok(rowText.includes('3 份'), `three scorecards: "${rowText}"`);
      assert.equal(await page.locator('form#admit').count(), 0, 'an admitted lead is not admitted again');
      assert.equal(await page.locator('form#open-review').count(), 0, 'nor sent to review again');
      assert.equal(
        await page.locator(`a[href="/projects/${state.projectId}"]`).count() > 0,
        true,
        'the lead links to its project',
      );

      await page.goto(`${baseUrl()}/reviews/${reviewId}`);
      assert.ok((await text(page.locator('h1'))).includes('已决定'), 'the review is 已决定');
      assert.ok((await text(page.locator('#decision'))).includes('入库'), 'the decision section says 入库');
      assert.equal(await page.locator('form#decide').count(), 0, 'a decided review takes no second decision');
      await screenshot(page, 'review-admitted');
    });
    await promoter.context.close();
  });

  it('loaded nothing from other hosts, raised no page errors and no server errors', () => {
    for (const { username, problems } of sessions) {
      assert.deepEqual(problems.outside, [], `${username}: every asset comes from Fenglai's own server`);
      assert.deepEqual(problems.pageErrors, [], `${username}: no JavaScript errors on any page`);
      assert.deepEqual(problems.serverErrors, [], `${username}: no 5xx answers`);
    }
  });
});
