// The leader's morning: 王市长 (leader) opens the 驾驶舱 — headline tiles, the project funnel, the
// twelve-month trend, the China map of where leads come from, the parks sketch and the stalled
// projects — and follows a stalled project to its page; then on 通报 looks at this month's draft,
// publishes the bulletin, checks it with 核验 (the figures recomputed as of the moment of
// publication are byte-for-byte the same), prints it with Chromium's own print-to-PDF (the text
// read back with pdf.js: the title and the rankings, no navigation bar) and downloads the Word file.
//
// Run: bash .ci/run (everything) or bash .ci/e2e.sh (only the browser tests, against a built
// binary). Needs FENGLAI_URL pointing at a freshly started `fenglai demo` (every demo account's
// password is `demo`). The steps run in order; each later step needs the earlier ones. The only
// change made is one more published bulletin for the current month (bulletins are not unique per
// period, so a rerun against the same server works too). No figures are asserted: the demo's
// current month may have few of them. No other test file looks at the cockpit or bulletins.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { baseUrl, launch, login, newPage, screenshot, step, submit, today } from '../lib/fenglai.mjs';

/** Whitespace-collapsed visible text of a locator. */
async function text(locator) {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

// Chromium's PDFs map a glyph shared by a CJK radical and an ideograph (高 and ⾼ in Noto Sans
// CJK) to the radical's code point; NFKC folds the Kangxi radicals back and the CJK Radicals
// Supplement forms of simplified Chinese are folded by hand (as in guide.test.mjs).
const SUPPLEMENT = {
  '⻁': '虎', '⻄': '西', '⻅': '见', '⻆': '角', '⻉': '贝', '⻋': '车', '⻓': '长', '⻔': '门',
  '⻘': '青', '⻙': '韦', '⻚': '页', '⻛': '风', '⻜': '飞', '⻝': '食', '⻢': '马', '⻣': '骨',
  '⻤': '鬼', '⻥': '鱼', '⻦': '鸟', '⻨': '麦', '⻩': '黄', '⻬': '齐', '⻮': '齿', '⻰': '龙',
  '⻳': '龟',
};
const fold = (s) => s.normalize('NFKC').replace(/[\u2e80-\u2eff]/g, (c) => SUPPLEMENT[c] ?? c);
const squeeze = (s) => fold(s).replace(/\s+/g, '');

/** The text of every page of a PDF, folded as above, with the spacing pdf.js inserts removed. */
async function pdfPages(bytes) {
  const doc = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: true })
    .promise;
  const pages = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(squeeze(content.items.map((it) => it.str).join('')));
  }
  await doc.destroy();
  return pages;
}

/** Clicks the link `name` in the navigation bar and waits for `pathname`. */
async function navTo(page, name, pathname) {
  await page.getByRole('navigation').getByRole('link', { name, exact: true }).click();
  await page.waitForURL((u) => u.pathname === pathname);
  await page.waitForLoadState('load');
}

describe('驾驶舱 and 通报: the leader reads the cockpit, follows a stalled project, publishes, verifies, prints and downloads the bulletin', () => {
  const month = today().slice(0, 7); // YYYY-MM in China Standard Time, the server's "this month"
  let browser;
  let session;
  const state = {};

  const need = (key, what) => {
    assert.ok(state[key] !== undefined, `needs an earlier step to have succeeded: ${what}`);
    return state[key];
  };

  before(async () => {
    browser = await launch();
    session = await newPage(browser);
  });

  after(async () => {
    await browser?.close();
  });

  it('the leader opens 驾驶舱: tiles, funnel, trend, China map, parks and stalled projects', async () => {
    const { page } = session;
    await step(page, 'cockpit-login', async () => {
      await login(page, 'leader');
      assert.equal(new URL(page.url()).pathname, '/', 'the leader logs in and lands on the dashboard');
    });

    await step(page, 'cockpit-open', async () => {
      await navTo(page, '驾驶舱', '/cockpit');
      assert.ok((await text(page.locator('h1'))).startsWith('招商引资驾驶舱'), 'the cockpit is headed 招商引资驾驶舱');

      const tiles = page.locator('#headline .tile');
      assert.ok((await tiles.count()) >= 1, 'the headline has tiles');
      for (const t of await tiles.allInnerTexts()) {
        assert.match(t.replace(/\s+/g, ''), /^今年累计.+\S/, `a tile names a year-to-date figure and shows it: "${t}"`);
      }

      const funnel = page.locator('svg#cockpit-funnel');
      await funnel.waitFor({ state: 'visible' });
      const stages = await funnel.locator('g[data-stage]').count();
      assert.ok(stages >= 3, `the funnel has a bar per stage: ${stages}`);
      const inFunnel = await funnel
        .locator('g[data-stage]')
        .evaluateAll((gs) => gs.reduce((n, g) => n + Number(g.getAttribute('data-count')), 0));
      assert.ok(inFunnel > 0, `the funnel counts the demo's projects: ${inFunnel}`);

      const trend = page.locator('svg#trend');
      await trend.waitFor({ state: 'visible' });
      assert.equal(await trend.locator('g[data-month]').count(), 12, 'the trend has twelve months');

      const map = page.locator('svg#china-map');
      await map.waitFor({ state: 'visible' });
      const provinces = await map
        .locator('path[data-province]')
        .evaluateAll((ps) => ps.map((p) => ({ code: p.dataset.province, count: Number(p.dataset.count) })));
      assert.ok(provinces.length >= 30, `the map draws the provinces: ${provinces.length}`);
      const sources = provinces.filter((p) => p.count > 0);
      assert.ok(sources.length >= 1, 'at least one province is a source of leads');
      assert.ok(
        (await map.locator('text.map-label').count()) === sources.length,
        'every source province is labelled on the map',
      );

      const parks = page.locator('svg#cockpit-parks');
      await parks.waitFor({ state: 'visible' });
      assert.ok((await parks.locator('circle').count()) >= 1, 'the parks sketch marks the parks');

      const stalls = page.locator('#cockpit-stalls a[href^="/projects/"]');
      assert.ok((await stalls.count()) >= 1, 'the cockpit names stalled projects');
      const first = stalls.first();
      state.stalledName = (await first.innerText()).trim();
      state.stalledPath = await first.getAttribute('href');
      assert.ok(state.stalledName, 'the stalled project link carries its name');
      assert.match(state.stalledPath, /^\/projects\/\d+$/);
      await screenshot(page, 'cockpit');
    });
  });

  it('a stalled project on the cockpit opens its page', async () => {
    const name = need('stalledName', 'open the cockpit');
    const path = need('stalledPath', 'open the cockpit');
    const { page } = session;
    await step(page, 'cockpit-stalled-project', async () => {
      await submit(page, page.locator('#cockpit-stalls a[href^="/projects/"]').first());
      assert.equal(new URL(page.url()).pathname, path, 'the link opens the project');
      assert.ok((await text(page.locator('h1'))).includes(name), `the project page is headed ${name}`);
    });
  });

  it('通报: this month is offered, the draft is marked 草稿, publishing freezes it with a 校验码', async () => {
    const { page } = session;
    await step(page, 'bulletins-form', async () => {
      await navTo(page, '通报', '/bulletins');
      const form = page.locator('form#publish-form');
      assert.equal(await form.count(), 1, 'the leader may publish');
      assert.equal(await form.locator('input[name="period"]').inputValue(), month, `the period is this month, ${month}`);
    });

    await step(page, 'bulletins-draft', async () => {
      await submit(page, page.locator('form#publish-form').getByRole('link', { name: '先看草稿' }));
      const url = new URL(page.url());
      assert.equal(url.pathname, '/bulletins/draft', 'the draft opens');
      assert.equal(url.searchParams.get('period'), month, 'the draft is of this month');
      const bulletin = page.locator('article#bulletin');
      await bulletin.waitFor({ state: 'visible' });
      assert.ok((await text(bulletin.locator('.actions'))).includes('草稿'), 'the draft says it is a 草稿');
      assert.equal(await page.locator('#docx, #xlsx, #verify').count(), 0, 'a draft has no downloads and nothing to verify');
      assert.ok((await text(page.locator('h1.bulletin-title'))).endsWith('招商引资工作通报'), 'the draft has the default title');
      await screenshot(page, 'bulletin-draft');
    });

    await step(page, 'bulletins-publish', async () => {
      await page.goBack();
      await page.waitForURL((u) => u.pathname === '/bulletins');
      const form = page.locator('form#publish-form');
      assert.equal(await form.locator('input[name="period"]').inputValue(), month, 'the period is still this month');
      await submit(page, form.locator('#publish'));

      const m = new URL(page.url()).pathname.match(/^\/bulletins\/(\d+)$/);
      assert.ok(m, `publishing opens /bulletins/{id}, got ${page.url()}`);
      state.bulletinId = m[1];
      state.bulletinPath = m[0];
      const title = await text(page.locator('h1.bulletin-title'));
      assert.ok(title.endsWith('招商引资工作通报'), `the title is the default one: "${title}"`);
      state.title = title;
      assert.match(await text(page.locator('#hash')), /^[0-9a-f]{16}$/, 'the 校验码 is 16 hex digits');
      assert.ok((await text(page.locator('.bulletin-meta'))).includes('发布于'), 'the page says when it was published');
      assert.ok((await text(page.locator('section#cover'))).includes('全市'), 'the cover speaks of the whole city (全市)');
      const tables = page.locator('section[id^="bulletin-"] table');
      assert.ok((await tables.count()) >= 1, 'the bulletin has ranking tables');
      for (const h of await page.locator('section[id^="bulletin-"] h2').allInnerTexts()) {
        assert.ok(h.trim().endsWith('排名'), `each ranking is headed …排名: "${h}"`);
      }
      for (const [id, label, href] of [
        ['docx', '下载Word', `${m[0]}/export.docx`],
        ['xlsx', '下载Excel', `${m[0]}/export.xlsx`],
        ['verify', '核验', `${m[0]}/verify`],
      ]) {
        const link = page.locator(`a#${id}`);
        assert.equal(await text(link), label, `#${id} reads ${label}`);
        assert.equal(await link.getAttribute('href'), href, `#${id} links ${href}`);
      }
      await screenshot(page, 'bulletin-published');
    });

    await step(page, 'bulletins-listed', async () => {
      await page.goto(`${baseUrl()}/bulletins`);
      const row = page.locator(`#bulletins tr`).filter({ has: page.locator(`a[href="${state.bulletinPath}"]`) });
      assert.equal(await row.count(), 1, 'the published bulletin is listed');
      assert.ok((await text(row)).includes(month), 'the list shows its period');
    });
  });

  it('核验: the figures recomputed as of publication are the same (一致)', async () => {
    const path = need('bulletinPath', 'publish a bulletin');
    const { page } = session;
    await step(page, 'bulletins-verify', async () => {
      await page.goto(`${baseUrl()}${path}`);
      await submit(page, page.locator('a#verify'));
      assert.equal(new URL(page.url()).pathname, `${path}/verify`, '核验 opens the verification');
      const verdict = await text(page.locator('#verdict'));
      assert.ok(verdict.includes('一致') && !verdict.includes('不一致'), `the verdict is 一致: "${verdict}"`);
      await screenshot(page, 'bulletin-verified');
    });
  });

  it('the published bulletin prints: title and rankings on paper, no navigation bar, no buttons', async () => {
    const path = need('bulletinPath', 'publish a bulletin');
    const title = need('title', 'publish a bulletin');
    const { page } = session;
    await step(page, 'bulletins-print', async () => {
      await page.goto(`${baseUrl()}${path}`);
      const navText = squeeze(await page.getByRole('navigation').innerText());
      assert.ok(navText.includes('驾驶舱'), `the screen shows the navigation bar: ${navText}`);
      // on paper the header (brand, navigation, user) and the buttons are gone
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.locator('header.top').isVisible(), false, 'the header is not printed');
      assert.equal(await page.locator('#bulletin .actions').isVisible(), false, 'the buttons are not printed');
      await page.emulateMedia({ media: null });

      const pages = await pdfPages(await page.pdf({ format: 'A4', printBackground: true }));
      assert.ok(pages.length >= 1, 'the bulletin prints');
      const all = pages.join('');
      assert.ok(pages[0].startsWith(squeeze(title)), `the title heads page 1: ${pages[0].slice(0, 200)}`);
      assert.ok(all.includes('排名'), 'the rankings are printed');
      assert.ok(all.includes('全市'), 'the cover is printed');
      assert.ok(!all.includes(navText), 'the navigation bar is not printed');
      for (const absent of ['驾驶舱', '总览', '退出', '下载Word', '下载Excel']) {
        assert.ok(!all.includes(absent), `"${absent}" is not printed`);
      }
    });
  });

  // A ranking table prints whole on A4: every header of every board reaches the paper.
  it('every column of every ranking table is printed', async () => {
    const path = need('bulletinPath', 'publish a bulletin');
    const { page } = session;
    await step(page, 'bulletins-print-columns', async () => {
      await page.goto(`${baseUrl()}${path}`);
      const headers = await page
        .locator('section[id^="bulletin-"] table')
        .evaluateAll((ts) => ts.map((t) => Array.from(t.querySelectorAll('thead th')).map((th) => th.textContent.trim()).join('')));
      assert.ok(headers.length >= 1, 'the bulletin has ranking tables');
      const all = (await pdfPages(await page.pdf({ format: 'A4', printBackground: true }))).join('');
      for (const h of headers) {
        assert.ok(all.includes(squeeze(h)), `the whole header row is printed: ${h}`);
      }
    });
  });

  it('下载Word gives a .docx (a zip of wordprocessingml)', async () => {
    const path = need('bulletinPath', 'publish a bulletin');
    const { page } = session;
    await step(page, 'bulletins-docx', async () => {
      await page.goto(`${baseUrl()}${path}`);
      const responded = page.waitForResponse((r) => new URL(r.url()).pathname === `${path}/export.docx`);
      const downloaded = page.waitForEvent('download');
      await page.locator('a#docx').click();
      const [res, download] = await Promise.all([responded, downloaded]);
      assert.equal(res.status(), 200);
      assert.ok(
        (res.headers()['content-type'] || '').includes('wordprocessingml'),
        `the content type is wordprocessingml: ${res.headers()['content-type']}`,
      );
      assert.match(download.suggestedFilename(), /\.docx$/, `a .docx file: ${download.suggestedFilename()}`);
      const stream = await download.createReadStream();
      const chunks = [];
      for await (const c of stream) chunks.push(c);
      const bytes = Buffer.concat(chunks);
      assert.ok(bytes.length > 1000, `the file has content: ${bytes.length} bytes`);
      assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'the file is a zip');
      assert.ok(bytes.includes('word/document.xml'), 'the zip holds word/document.xml');
      assert.equal(new URL(page.url()).pathname, path, 'downloading leaves the bulletin open');
    });
  });

  it('loaded nothing from other hosts, raised no page errors and no server errors', () => {
    assert.deepEqual(session.problems.outside, [], "every asset comes from Fenglai's own server");
    assert.deepEqual(session.problems.pageErrors, [], 'no JavaScript errors on any page');
    assert.deepEqual(session.problems.serverErrors, [], 'no 5xx answers');
  });
});
