// The 要素保障诉求 loop, each person in their own browser context:
//
// the park's 承接人 (park, 凤城经济技术开发区) raises a 用电 request on one of its park's projects
// to 国网凤城供电公司; the power company's 协同人 (power) finds it in its own department's list,
// accepts it (受理) and answers it (答复); the park rates the answer 不满意 — first without a
// reason, which is refused without losing the choice, then with one — and the part goes back
// to 办理中 (不满意重办); the 领导 (leader) sees it on the 督办 board, with the project's
// 责任领导, and opens it from there.
//
// Run: bash .ci/run (everything) or bash .ci/e2e.sh (only the browser tests, against a built
// binary). Needs FENGLAI_URL pointing at a freshly started `fenglai demo` (every demo account's
// password is `demo`). The steps run in order; each later step needs the earlier ones. The
// request is new, with a unique title; the only other change is that the chosen seeded project
// gets 王市长 as its 责任领导 if it has none, so the board's 责任领导 column has a name to show.
// No other test file looks at requests, the 督办 board or projects' 责任领导.
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

const PARK = '凤城经济技术开发区'; // park (周园区)
const DEPARTMENT = '国网凤城供电公司'; // power (田供电)
const LEADER = '王市长'; // leader

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

/** The department's part of the request page. */
function part(page) {
  return page.locator(`section.task[data-department="${DEPARTMENT}"]`);
}

describe('要素保障诉求: a park raises 用电, the power company answers, an unsatisfied rating reopens it, the leader sees it on 督办', () => {
  const stamp = `${Date.now()}`.slice(-8);
  const title = `新建厂房10kV专线接入（测试${stamp}）`;
  const description = `浏览器端到端测试：项目厂房封顶，申请新增10kV专线接入，报装容量2000kVA（测试${stamp}）。`;
  const answer = `已安排现场勘查，供电方案将在10个工作日内答复（测试${stamp}）。`;
  const reason = `答复未明确接电时间，企业投产在即（测试${stamp}）`;
  let browser;
  const sessions = [];
  let park;
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

  it(`the park raises a 用电 request on a project of ${PARK} to ${DEPARTMENT}`, async () => {
    park = await signIn(browser, sessions, 'park');
    const { page } = park;
    await step(page, 'requests-pick-project', async () => {
      await page.goto(`${baseUrl()}/projects`);
      // a project of the park's own park that is under way (signed or later, not 中止)
      const rows = page.locator('table.list tbody tr').filter({ has: page.locator('td', { hasText: PARK }) });
      const candidates = await rows.evaluateAll((trs) =>
        trs.map((tr) => ({
          href: tr.querySelector('a[href^="/projects/"]')?.getAttribute('href'),
          stage: tr.querySelector('.tag')?.textContent.trim(),
        })),
      );
      const pick =
        candidates.find((c) => c.href && ['签约', '开工', '竣工'].includes(c.stage)) ||
        candidates.find((c) => c.href && c.stage !== '中止');
      assert.ok(pick, `the park's project list has a project of ${PARK}: ${JSON.stringify(candidates.slice(0, 5))}`);
      state.projectPath = pick.href;
      await page.goto(`${baseUrl()}${pick.href}`);
      assert.ok(
        (await text(page.locator('dl.fields').first())).includes(PARK),
        `the project's 承接园区 is ${PARK}`,
      );
    });

    await step(page, 'requests-project-leader', async () => {
      // the 督办 board names each project's 责任领导: make sure this one has one
      const leaderCell = page.locator('dl.fields dt', { hasText: '责任领导' }).locator('xpath=following-sibling::dd[1]');
      if ((await text(leaderCell)) !== LEADER) {
        const edit = page.locator('form#edit');
        await page.locator('details', { has: edit }).locator('summary').click();
        const select = edit.locator('select[name="responsible_leader_id"]');
        await select.selectOption(await optionStartingWith(select, LEADER));
        await submit(page, submitButton(edit, '保存'));
        assert.equal(new URL(page.url()).pathname, state.projectPath, 'saving returns to the project');
        assert.equal(await page.locator('.flash-error').count(), 0, 'the park may name the 责任领导');
      }
      assert.equal(await text(leaderCell), LEADER, `the project's 责任领导 is ${LEADER}`);
    });

    await step(page, 'requests-raise', async () => {
      assert.deepEqual(await postFormsWithoutCsrf(page), [], 'every POST form carries a hidden csrf input');
      const section = page.locator('section#requests');
      await section.locator('details#raise > summary').click();
      const form = section.locator('form#raise-form');
      await form.waitFor({ state: 'visible' });
      await form.locator('select[name="category"]').selectOption('power');
      const departments = form.locator('select[name="department_ids"]');
      await departments.selectOption([await optionStartingWith(departments, DEPARTMENT)]);
      await form.locator('input[name="title"]').fill(title);
      await form.locator('textarea[name="description"]').fill(description);
      await submit(page, submitButton(form, '提交诉求'));

      const m = new URL(page.url()).pathname.match(/^\/requests\/(\d+)$/);
      assert.ok(m, `raising a request opens /requests/{id}, got ${page.url()}`);
      state.requestId = m[1];
      assert.ok((await text(page.locator('h1'))).includes(title), 'the request page is headed with its title');
      const fields = await text(page.locator('dl.fields').first());
      assert.ok(fields.includes('用电'), `the category is 用电: ${fields}`);
      assert.ok(fields.includes(description), 'the description is shown');
      assert.ok(fields.includes('周园区'), 'the raiser is named');
      assert.equal(await part(page).count(), 1, `one part, for ${DEPARTMENT}`);
      assert.equal(await text(part(page).locator('.task-status')), '待受理', 'the part awaits the department');
      // the raiser's side neither accepts nor answers, and has nothing to rate yet
      assert.equal(await page.locator('form.accept-form, form.answer-form').count(), 0, 'the park cannot accept or answer');
      assert.equal(await page.locator('form.rate-form').count(), 0, 'nothing to rate before an answer');
      await screenshot(page, 'request-raised');
    });
  });

  it(`${DEPARTMENT} finds it in its own list, accepts it and answers it`, async () => {
    const requestId = need('requestId', 'raise a request');
    const power = await signIn(browser, sessions, 'power');
    const { page } = power;
    try {
      await step(page, 'requests-power-list', async () => {
        await page.getByRole('navigation').getByRole('link', { name: '诉求', exact: true }).click();
        await page.waitForURL((u) => u.pathname === '/requests');
        const scope = page.locator('select[name="department_id"]');
        assert.equal(await scope.inputValue(), 'mine', 'a department sees its own department\'s requests first');
        const row = page.locator(`#requests tr[data-id="${requestId}"]`);
        assert.equal(await row.count(), 1, 'the new request is in the department\'s list');
        const rowText = await text(row);
        assert.ok(rowText.includes(title), 'the row shows the title');
        assert.ok(rowText.includes('用电'), 'the row shows the category');
        assert.ok(rowText.includes(`${DEPARTMENT}：待受理`), `the row shows the department's part as 待受理: ${rowText}`);
        await submit(page, row.getByRole('link', { name: title }));
        assert.equal(new URL(page.url()).pathname, `/requests/${requestId}`, 'the row opens the request');
      });

      await step(page, 'requests-power-accept', async () => {
        assert.deepEqual(await postFormsWithoutCsrf(page), [], 'every POST form carries a hidden csrf input');
        assert.equal(await page.locator('form.rate-form').count(), 0, 'the department cannot rate');
        const form = part(page).locator('form.accept-form');
        assert.equal(await form.count(), 1, 'the department is offered 受理');
        await submit(page, submitButton(form, '受理'));
        assert.equal(new URL(page.url()).pathname, `/requests/${requestId}`, 'accepting returns to the request');
        assert.equal(await page.locator('.flash-error').count(), 0, 'accepting is allowed');
        assert.equal(await text(part(page).locator('.task-status')), '办理中', 'the part is 办理中');
        assert.equal(await part(page).locator('form.accept-form').count(), 0, 'it is accepted once');
        const accepted = part(page).locator('dt', { hasText: '受理' }).locator('xpath=following-sibling::dd[1]');
        assert.notEqual(await text(accepted), '—', 'the page says when it was accepted');
      });

      await step(page, 'requests-power-answer', async () => {
        const form = part(page).locator('form.answer-form');
        await form.getByLabel('答复意见').fill(answer);
        await submit(page, submitButton(form, '答复'));
        assert.equal(new URL(page.url()).pathname, `/requests/${requestId}`, 'answering returns to the request');
        assert.equal(await page.locator('.flash-error').count(), 0, 'answering is allowed');
        assert.equal(await text(part(page).locator('.task-status')), '已答复待评价', 'the part awaits the rating');
        assert.ok((await text(part(page).locator('.answer'))).includes(answer), 'the answer is shown');
        assert.equal(await part(page).locator('form.answer-form').count(), 0, 'no second answer while it awaits a rating');
        assert.equal(await page.locator('form.rate-form').count(), 0, 'the department cannot rate its own answer');
        await screenshot(page, 'request-answered');
      });
      state.answered = true;
    } finally {
      await power.context.close();
    }
  });

  it('the park rates the answer 不满意 — a reason is required — and the part reopens', async () => {
    const requestId = need('requestId', 'raise a request');
    need('answered', 'the department answers');
    const { page } = park;
    await step(page, 'requests-park-sees-answer', async () => {
      await page.goto(`${baseUrl()}/requests/${requestId}`);
      assert.deepEqual(await postFormsWithoutCsrf(page), [], 'every POST form carries a hidden csrf input');
      assert.ok((await text(part(page).locator('.answer'))).includes(answer), 'the park reads the answer');
      assert.equal(await page.locator('form.accept-form, form.answer-form').count(), 0, 'the park cannot accept or answer');
      assert.equal(await part(page).locator('form.rate-form').count(), 1, 'the park is asked to rate the answer');
    });

    await step(page, 'requests-rate-without-reason', async () => {
      const form = part(page).locator('form.rate-form');
      await form.locator('input[name="satisfied"][value="0"]').check();
      await form.locator('input[name="comment"]').fill('');
      await submit(page, submitButton(form, '提交评价'));

      const flash = page.locator('.flash-error').first();
      await flash.waitFor({ state: 'visible' });
      assert.ok((await text(flash)).includes('不满意时请写明原因'), `the error asks for a reason: "${await text(flash)}"`);
      assert.equal(await text(part(page).locator('.task-status')), '已答复待评价', 'the refused rating changed nothing');
      const again = part(page).locator('form.rate-form');
      assert.equal(await again.count(), 1, 'the rate form is offered again');
      assert.equal(await again.locator('input[name="satisfied"][value="0"]').isChecked(), true, 'the choice 不满意 is kept');
      await screenshot(page, 'request-rate-refused');
    });

    await step(page, 'requests-rate-unsatisfied', async () => {
      const form = part(page).locator('form.rate-form');
      await form.locator('input[name="satisfied"][value="0"]').check();
      await form.getByLabel('评价意见').fill(reason);
      await submit(page, submitButton(form, '提交评价'));

      assert.equal(new URL(page.url()).pathname, `/requests/${requestId}`, 'rating returns to the request');
      assert.equal(await page.locator('.flash-error').count(), 0, 'an unsatisfied rating with a reason is accepted');
      assert.equal(await text(part(page).locator('.task-status')), '办理中', 'the part is back to 办理中');
      assert.ok((await text(part(page).locator('h2'))).includes('不满意重办 1 次'), 'the part shows 不满意重办 1 次');
      const rating = await text(part(page).locator('.rating'));
      assert.ok(rating.includes('不满意') && rating.includes(reason), `the rating and its reason are kept: "${rating}"`);
      assert.equal(await page.locator('form.rate-form').count(), 0, 'nothing to rate until it is answered again');
      assert.equal(await page.locator('form.accept-form, form.answer-form').count(), 0, 'the park still cannot answer');
      await screenshot(page, 'request-reopened');
    });

    await step(page, 'requests-project-lists-reopened', async () => {
      // the project page's 要素保障诉求 table says so too
      await submit(page, page.locator('dl.fields').first().getByRole('link'));
      assert.equal(new URL(page.url()).pathname, state.projectPath, 'the request links to its project');
      const row = page.locator(`section#requests tr[data-id="${requestId}"]`);
      assert.equal(await row.count(), 1, 'the project lists the request');
      const rowText = await text(row);
      assert.ok(rowText.includes(`${DEPARTMENT}：办理中`), `the part is 办理中: "${rowText}"`);
      assert.ok(rowText.includes('不满意重办'), `the row says 不满意重办: "${rowText}"`);
    });
    state.reopened = true;
    await park.context.close();
  });

  it('the leader sees it on the 督办 board with 不满意重办 and its 责任领导, and opens it', async () => {
    const requestId = need('requestId', 'raise a request');
    need('reopened', 'the park rates it 不满意');
    const leader = await signIn(browser, sessions, 'leader');
    const { page } = leader;
    try {
      await step(page, 'requests-supervision', async () => {
        await page.getByRole('navigation').getByRole('link', { name: '督办', exact: true }).click();
        await page.waitForURL((u) => u.pathname === '/supervision');
        const board = page.locator('#overdue-requests');
        const headers = await board.locator('thead th').allInnerTexts();
        const leaderColumn = headers.map((h) => h.trim()).indexOf('责任领导');
        assert.ok(leaderColumn >= 0, `the board has a 责任领导 column: ${headers.join(' | ')}`);
        const row = board.locator(`tr[data-request="${requestId}"]`);
        assert.equal(await row.count(), 1, 'the reopened request is on the board, once');
        const rowText = await text(row);
        for (const want of [title, '用电', DEPARTMENT, '不满意重办']) {
          assert.ok(rowText.includes(want), `the row shows ${want}: "${rowText}"`);
        }
        assert.equal(await text(row.locator('td').nth(leaderColumn)), LEADER, `the row names the 责任领导 ${LEADER}`);
        await screenshot(page, 'request-supervision');

        await submit(page, row.getByRole('link', { name: title }));
        assert.equal(new URL(page.url()).pathname, `/requests/${requestId}`, 'the row opens the request');
        assert.ok((await text(page.locator('h1'))).includes(title), 'the request page is headed with its title');
        assert.ok((await text(part(page).locator('h2'))).includes('不满意重办 1 次'), 'the page shows 不满意重办 1 次');
        assert.equal(await page.locator('form.accept-form, form.answer-form, form.rate-form').count(), 0, 'the leader only reads');
      });
    } finally {
      await leader.context.close();
    }
  });

  it('loaded nothing from other hosts, raised no page errors and no server errors', () => {
    for (const { username, problems } of sessions) {
      assert.deepEqual(problems.outside, [], `${username}: every asset comes from Fenglai's own server`);
      assert.deepEqual(problems.pageErrors, [], `${username}: no JavaScript errors on any page`);
      assert.deepEqual(problems.serverErrors, [], `${username}: no 5xx answers`);
    }
  });
});
