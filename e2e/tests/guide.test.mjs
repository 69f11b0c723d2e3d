// The public 招商指南 (investment guide) prints cleanly: a visitor opens the city's guide and one
// park's guide without logging in, and Chromium's own print-to-PDF turns each into pages that
// carry the park's name. The PDF's text is read back with pdf.js, as a reader's viewer would.
//
// Run: bash .ci/run (everything) or bash .ci/e2e.sh (only the browser tests).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { baseUrl, launch, newPage, screenshot, step } from '../lib/fenglai.mjs';

const PARKS = ['凤城经济技术开发区', '凤城高新技术产业开发区', '临江工业园区', '青山智能制造产业园'];

// Chromium's PDFs map a glyph shared by a CJK radical and an ideograph (高 and ⾼ in Noto Sans
// CJK) to the radical's code point, so extracted text says "⾼新区". NFKC folds the Kangxi
// radicals back; the CJK Radicals Supplement forms that occur in simplified Chinese are folded
// by hand.
const SUPPLEMENT = {
  '⻁': '虎', '⻄': '西', '⻅': '见', '⻆': '角', '⻉': '贝', '⻋': '车', '⻓': '长', '⻔': '门',
  '⻘': '青', '⻙': '韦', '⻚': '页', '⻛': '风', '⻜': '飞', '⻝': '食', '⻢': '马', '⻣': '骨',
  '⻤': '鬼', '⻥': '鱼', '⻦': '鸟', '⻨': '麦', '⻩': '黄', '⻬': '齐', '⻮': '齿', '⻰': '龙',
  '⻳': '龟',
};
const fold = (s) => s.normalize('NFKC').replace(/[\u2e80-\u2eff]/g, (c) => SUPPLEMENT[c] ?? c);

/** The text of every page of a PDF, folded as above, with the spacing pdf.js inserts removed. */
async function pdfPages(bytes) {
  const doc = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: true })
    .promise;
  const pages = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(fold(content.items.map((it) => it.str).join('')).replace(/\s+/g, ''));
  }
  await doc.destroy();
  return pages;
}

describe('招商指南 prints', () => {
  let browser;
  let page;
  let problems;

  before(async () => {
    browser = await launch();
    ({ page, problems } = await newPage(browser));
  });

  after(async () => {
    await browser?.close();
  });

  it('the city guide: public, a page per park, every park named', async () => {
    await step(page, 'city-guide', async () => {
      const res = await page.goto(`${baseUrl()}/guide`);
      assert.equal(res.status(), 200);
      assert.match(page.url(), /\/guide$/, 'no login is asked for');
      assert.equal(await page.locator('#guide-title').innerText(), '凤城市招商指南');
      assert.equal(await page.locator('#map svg circle').count(), PARKS.length);
      await screenshot(page, 'guide-city');
      // on paper the print button is gone
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.locator('.toolbar').isVisible(), false);
      await page.emulateMedia({ media: null });
      const pages = await pdfPages(await page.pdf({ format: 'A4', printBackground: true }));
      assert.ok(pages.length >= PARKS.length, `each park starts a page: ${pages.length} pages`);
      assert.ok(pages[0].startsWith('凤城市招商指南'), `the title heads page 1, no buttons: ${pages[0].slice(0, 200)}`);
      // the first park follows the map on page 1; each later one opens a page of its own
      assert.ok(pages[0].includes(PARKS[0] + '国家级经济技术开发区'), "the first park's section is printed");
      for (const name of PARKS.slice(1)) {
        assert.ok(
          pages.some((p) => p.startsWith(name)),
          `${name} opens a page: ${pages.map((p) => p.slice(0, 12)).join(' | ')}`,
        );
      }
      assert.deepEqual(problems, { pageErrors: [], serverErrors: [], outside: [] });
    });
  });

  it("one park's guide: its name, its land, on one or more pages", async () => {
    await step(page, 'park-guide', async () => {
      await page.goto(`${baseUrl()}/guide`);
      const section = page.locator('section.park').filter({ has: page.locator('h2', { hasText: PARKS[1] }) });
      await section.getByRole('link', { name: '单独打印本园区' }).click();
      await page.waitForURL(/\/guide\/\d+$/);
      assert.equal(await page.locator('#guide-title').innerText(), `${PARKS[1]}招商指南`);
      assert.equal(await page.locator('#map circle.on').count(), 1, 'the park is marked on the sketch');
      await screenshot(page, 'guide-park');
      const pages = await pdfPages(await page.pdf({ format: 'A4', printBackground: true }));
      assert.ok(pages.length >= 1);
      const all = pages.join('');
      assert.ok(pages[0].includes(`${PARKS[1]}招商指南`), pages[0].slice(0, 200));
      assert.ok(all.includes('高新区M0-01地块'), 'its plots are printed');
      assert.ok(!all.includes('临江园1号地块'), "another park's plots are not");
      assert.deepEqual(problems, { pageErrors: [], serverErrors: [], outside: [] });
    });
  });
});
