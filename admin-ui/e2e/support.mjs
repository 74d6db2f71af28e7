// What the end-to-end scripts share: the environment, headless Chromium (Debian's) with every CSP
// violation and uncaught page error collected as a problem, screenshots at 1280 and 390 px, waiting
// for a condition, the main navigation and logging in. Each script collects `problems` and ends with
// finish(), which exits non-zero when there are any. (admin-ui.e2e.mjs still has its own copies of
// these; it can move onto this module when it is next touched.)
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (the IT running this script sets it)`);
  return value;
};

export const BASE = env('FERRY_URL');
export const SCREENSHOTS = env('SCREENSHOT_DIR');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export const problems = [];
let step = 'start';
export const log = (s) => {
  step = s;
  console.log(`e2e: ${s}`);
};

export async function launch() {
  if (!existsSync(CHROMIUM)) {
    console.error(`Chromium is not installed at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM)`);
    process.exit(2);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export async function newPage(browser, who, width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  // Runs before the page's own scripts; CSP does not apply to it (it is injected by the browser).
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (/Content[- ]Security[- ]Policy|Refused to (apply|load|execute|connect|frame)/i.test(msg.text())) {
      problems.push(`${who}: CSP violation reported on the console: ${msg.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`${who}: uncaught error in the page: ${error.message}`));
  return page;
}

export async function checkCsp(page, where) {
  const violations = await page.evaluate(() => window.__cspViolations ?? []);
  for (const v of violations) problems.push(`${where}: securitypolicyviolation: ${v}`);
}

export async function shoot(page, name) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.waitForTimeout(150);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (overflow > 1) problems.push(`${name} at ${width} px: the page scrolls sideways by ${overflow} px`);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await checkCsp(page, name);
}

export async function until(what, check, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A link of the main navigation. */
export const nav = (page, name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

export async function login(page, who) {
  await page.goto(`${BASE}/`);
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

export async function expectNone(page, role, name, where) {
  const count = await page.getByRole(role, { name }).count();
  if (count > 0) problems.push(`${where}: an AUDITOR sees the ${role} "${name}"`);
}

/** The text of the first element a field's aria-describedby names: its error when it has one. */
export async function describedBy(field) {
  const ids = await field.getAttribute('aria-describedby');
  if (!ids) return '';
  return field.page().locator(`[id="${ids.split(' ')[0]}"]`).innerText();
}

/** Runs `flow(browser)`; a failure is a problem, with a screenshot of every open page as it was (`<name>-failure-N.png`). Exits 1 on any problem. */
export async function run(name, flow) {
  const browser = await launch();
  try {
    await flow(browser);
    log('done');
  } catch (e) {
    problems.push(`failed at "${step}": ${e instanceof Error ? e.stack : e}`);
    const pages = browser.contexts().flatMap((c) => c.pages());
    for (const [i, p] of pages.entries()) await p.screenshot({ path: join(SCREENSHOTS, `${name}-failure-${i + 1}.png`), fullPage: true }).catch(() => {});
  } finally {
    await browser.close();
  }
  if (problems.length > 0) {
    console.error(`e2e: ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
    process.exit(1);
  }
  console.log('e2e: all checks passed');
}
