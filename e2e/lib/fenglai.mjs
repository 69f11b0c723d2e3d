// Shared helpers for Fenglai's browser tests: playwright-core driving Debian's Chromium.
// No browser is downloaded: the browser is /usr/bin/chromium (or $FENGLAI_CHROMIUM).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Base URL of the server under test, e.g. http://127.0.0.1:41234 (no trailing slash). */
export function baseUrl() {
  const url = process.env.FENGLAI_URL;
  if (!url) {
    throw new Error(
      'FENGLAI_URL is not set: start `fenglai demo --bind 127.0.0.1:PORT` and set FENGLAI_URL=http://127.0.0.1:PORT ' +
        '(bash .ci/run and bash .ci/e2e.sh do this)',
    );
  }
  return url.replace(/\/+$/, '');
}

export const screenshotDir = process.env.FENGLAI_SCREENSHOT_DIR || path.join(here, '..', 'screenshots');

/** Chromium flags that work on this closed network (no background connections to Google). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launch() {
  return chromium.launch({
    executablePath: process.env.FENGLAI_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * A fresh browser context and page, in Chinese and China's time zone, that records what a
 * person would notice: page errors, server errors (5xx) and requests to any other host
 * (Fenglai is offline: it embeds everything it serves).
 */
export async function newPage(browser) {
  const base = new URL(baseUrl());
  const context = await browser.newContext({
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1366, height: 900 },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.setDefaultNavigationTimeout(60_000);
  const problems = { pageErrors: [], serverErrors: [], outside: [] };
  page.on('pageerror', (err) => problems.pageErrors.push(`${page.url()}: ${err.message}`));
  page.on('response', (res) => {
    if (res.status() >= 500) problems.serverErrors.push(`${res.status()} ${res.request().method()} ${res.url()}`);
  });
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) return; // data:, blob:, about:
    if (u.host !== base.host) problems.outside.push(req.url());
  });
  return { context, page, problems };
}

/**
 * Today as YYYY-MM-DD in China Standard Time (UTC+8, no daylight saving), which is the server's
 * "today": it refuses dates in the future and admission dates before the lead's report date.
 */
export function today() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

/**
 * Clicks a submit button and waits for the page that answers (a redirect or a re-rendered form).
 * `button` is a Locator.
 */
export async function submit(page, button) {
  const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() });
  await button.click();
  await navigated;
  await page.waitForLoadState('load');
}

/** The submit button of `form` (a Locator) whose text or value is `text`. */
export function submitButton(form, text) {
  return form
    .locator('button, input[type="submit"]')
    .filter({ hasText: text })
    .or(form.locator(`input[type="submit"][value="${text}"]`))
    .first();
}

/** Every POST form on the page carries the hidden CSRF input `csrf`. */
export async function postFormsWithoutCsrf(page) {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('form'))
      .filter((f) => (f.getAttribute('method') || 'get').toLowerCase() === 'post')
      .filter((f) => !f.querySelector('input[type="hidden"][name="csrf"]'))
      .map((f) => f.id || f.getAttribute('action') || '(form without id or action)'),
  );
}

export async function login(page, username, password = 'demo') {
  await page.goto(`${baseUrl()}/login`);
  const form = page.locator('form').filter({ has: page.locator('input[name="username"]') });
  await form.locator('input[name="username"]').fill(username);
  await form.locator('input[name="password"]').fill(password);
  await submit(page, submitButton(form, '登录'));
}

/** Saves a full-page screenshot into the screenshots directory and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Runs one step of a journey; on failure saves a screenshot and adds where the page was and
 * what it said to the error, so a CI log alone tells what went wrong.
 */
export async function step(page, name, fn) {
  try {
    return await fn();
  } catch (err) {
    let where = '';
    try {
      const shot = await screenshot(page, `failed-${name}`);
      const text = (await page.locator('body').innerText({ timeout: 2_000 })).replace(/\s+/g, ' ').slice(0, 800);
      where = `\n  at page: ${page.url()}\n  screenshot: ${shot}\n  page text: ${text}`;
    } catch {
      where = `\n  at page: ${page.url()}`;
    }
    const original = err.message;
    err.message = `${name}: ${original}${where}`;
    if (typeof err.stack === 'string' && original) err.stack = err.stack.replace(original, err.message);
    throw err;
  }
}
