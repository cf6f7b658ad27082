// Drives the /ui dashboard in Debian's headless Chromium through playwright-core (no browser download).
// Usage: node dashboard.mjs <baseUrl> <masterKey> <screenshotDir>
// Talks to the Java test (DashboardBrowserTest) in lines: it prints {"event": ...} JSON lines on stdout and, where
// the Java side must act (send traffic with an SDK, take a region down), waits for one line on stdin.
// Exit code 0 when every check passed; otherwise 1, with {"event":"failed","error":...} as the last line.
import { chromium } from 'playwright-core';
import { createInterface } from 'node:readline';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [baseUrl, masterKey, shots] = process.argv.slice(2);
if (!baseUrl || !masterKey || !shots) {
  console.error('usage: node dashboard.mjs <baseUrl> <masterKey> <screenshotDir>');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const STEP_MS = 20000;
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const say = (event, data = {}) => console.log(JSON.stringify({ event, ...data }));
async function waitFor(java) {
  const { value, done } = await lines.next();
  if (done || value.trim() !== java) throw new Error(`expected '${java}' from the Java test, got ${done ? 'EOF' : value}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const problems = [];
const offsite = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(STEP_MS);
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // 401 (the wrong key tried first) and 404 (no request log API) are expected network answers, not script errors.
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource: .* status of (401|404)/.test(m.text())) problems.push(`console: ${m.text()}`); });
  page.on('request', (r) => { if (!r.url().startsWith(baseUrl)) offsite.push(r.url()); });

  // Log in: a wrong key is refused, the master key opens the dashboard.
  await page.goto(`${baseUrl}/ui`);
  await page.fill('#master-key', 'sk-sb-not-the-master-key');
  await page.click('#login-form button');
  await page.waitForFunction(() => document.getElementById('login-error').textContent.length > 0);
  await page.fill('#master-key', masterKey);
  await page.click('#login-form button');
  await page.waitForSelector('#overview-cards [data-metric=rps]');
  say('logged_in');

  // Create a key in the Keys tab: the page shows it once.
  await page.click('nav button[data-tab=keys]');
  await page.fill('#key-form input[name=name]', 'ui-browser-key');
  await page.fill('#key-form input[name=rpm]', '600');
  await page.fill('#key-form input[name=budgets]', '5/day');
  await page.click('#key-form button[type=submit]');
  await page.waitForSelector('#new-key:not([hidden])');
  const key = (await page.textContent('#new-key-value')).trim();
  await page.waitForSelector('#key-list tr[data-id="ui-browser-key"]');
  await page.screenshot({ path: join(shots, '1-key-created.png'), fullPage: true });
  // Edit its limits.
  await page.click('#key-list tr[data-id="ui-browser-key"] button.edit-limits');
  await page.fill('#key-list tr[data-id="ui-browser-key"] form.edit input[name=rpm]', '900');
  await page.click('#key-list tr[data-id="ui-browser-key"] form.edit button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#key-list tr[data-id="ui-browser-key"]')?.textContent.includes('rpm 900'));
  // A team, and a second key in it, revoked again (the page asks first).
  await page.fill('#team-form input[name=name]', 'ui-team');
  await page.fill('#team-form input[name=budgets]', '50/day');
  await page.click('#team-form button[type=submit]');
  await page.waitForSelector('#team-list tr[data-id="ui-team"]');
  await page.fill('#key-form input[name=name]', 'ui-revoke-me');
  await page.selectOption('#key-form select[name=team]', 'ui-team');
  await page.click('#key-form button[type=submit]');
  await page.waitForSelector('#key-list tr[data-id="ui-revoke-me"]');
  page.once('dialog', (d) => d.accept());
  await page.click('#key-list tr[data-id="ui-revoke-me"] button.revoke');
  await page.waitForSelector('#key-list tr.revoked[data-id="ui-revoke-me"]');
  const revokedTeam = await page.textContent('#key-list tr[data-id="ui-revoke-me"] td:nth-child(3)');
  say('key_created', { key, revokedTeam });

  await waitFor('traffic-sent');
  // The overview (auto-refreshed) shows the traffic; the spend view shows the key.
  await page.click('nav button[data-tab=overview]');
  await page.waitForFunction(() => {
    const v = document.querySelector('#overview-cards [data-metric=requests] .value');
    return v && Number(v.textContent) >= 5;
  });
  const overview = Object.fromEntries(await page.$$eval('#overview-cards .card', (cs) => cs.map((c) => [c.dataset.metric, c.querySelector('.value').textContent])));
  await page.screenshot({ path: join(shots, '2-overview.png'), fullPage: true });
  await page.click('nav button[data-tab=spend]');
  await page.selectOption('#spend-form select[name=by]', 'key');
  await page.waitForSelector('#spend-table tr[data-id="ui-browser-key"]');
  const spendRequests = Number(await page.textContent('#spend-table tr[data-id="ui-browser-key"] td:nth-child(2)'));
  await page.waitForSelector('#spend-chart svg rect');
  await page.screenshot({ path: join(shots, '3-spend.png'), fullPage: true });
  await page.selectOption('#spend-form select[name=grain]', 'hour');
  // Bars labelled by hour (one, or two if the traffic straddled an hour's end).
  await page.waitForFunction(() => [...document.querySelectorAll('#spend-chart svg rect title')]
    .some((t) => /\d\dh ui-browser-key: \$/.test(t.textContent)));
  const hourlyRequests = Number(await page.textContent('#spend-table tr[data-id="ui-browser-key"] td:nth-child(2)'));
  await page.screenshot({ path: join(shots, '3-spend-hourly.png'), fullPage: true });
  await page.click('nav button[data-tab=keys]');
  await page.waitForFunction(() => document.querySelector('#key-list tr[data-id="ui-browser-key"] td:nth-child(7)')?.textContent !== '$0');
  const keySpentToday = await page.textContent('#key-list tr[data-id="ui-browser-key"] td:nth-child(7)');
  // The request log explorer: every request (auto-refreshed until the ledger has them all), a filter by model, and
  // one request's detail.
  await page.click('nav button[data-tab=requests]');
  await page.waitForFunction(() => document.querySelectorAll("#request-log tbody tr").length >= 8);
  const logRows = () => page.$$eval('#request-log tbody tr', (rs) => rs.map((r) => ({
    model: r.children[3].textContent, key: r.children[1].textContent, status: r.children[6].textContent })));
  const allRequests = await logRows();
  await page.fill('#request-filters input[name=model]', 'sim-small');
  await page.click('#request-filters button[type=submit]');
  await page.waitForFunction(() => {
    const rs = [...document.querySelectorAll('#request-log tbody tr')];
    return rs.length > 0 && rs.every((r) => r.children[3].textContent === 'sim-small');
  });
  const smallRequests = await logRows();
  await page.fill('#request-filters input[name=model]', 'sim-large');
  await page.click('#request-filters button[type=submit]');
  await page.waitForFunction(() => {
    const rs = [...document.querySelectorAll('#request-log tbody tr')];
    return rs.length > 0 && rs.every((r) => r.children[3].textContent === 'sim-large');
  });
  await page.click('#request-log tbody tr:first-child td:nth-child(4)');
  await page.waitForSelector('#request-detail [data-state=content-off]');
  const requestDetail = {
    keyName: await page.textContent('#request-detail dd[data-field=key_name]'),
    model: await page.textContent('#request-detail dd[data-field=model]'),
    contentLogging: await page.textContent('#request-detail dd[data-field=content_logging]'),
    note: await page.textContent('#request-detail [data-state=content-off]'),
  };
  await page.screenshot({ path: join(shots, '6-requests.png'), fullPage: true });
  // Paging: 5 rows a page, then the older 2.
  await page.click('#request-clear');
  await page.selectOption('#request-filters select[name=limit]', '5');
  await page.waitForFunction(() => document.querySelectorAll('#request-log tbody tr').length === 5
    && !document.getElementById('request-older').disabled);
  await page.click('#request-older');
  await page.waitForFunction(() => !document.getElementById('request-newest').disabled);
  const olderPage = await logRows();
  // The content-logging key's request shows its prompt and answer, as text. Its content is written just after its
  // ledger row, so the detail is asked again until it has it.
  await page.click('#request-clear');
  const audited = '#request-log tbody tr:has-text("ui-audited") td:nth-child(4)';
  let contentShown = false;
  for (const end = Date.now() + STEP_MS; !contentShown && Date.now() < end;) {
    await page.evaluate(() => { document.getElementById('request-detail').hidden = true; });
    await page.click(audited);
    await page.waitForSelector('#request-detail:not([hidden])');
    contentShown = (await page.$('#request-detail pre[data-content=request]')) !== null;
  }
  const content = {
    shown: contentShown,
    request: contentShown ? await page.textContent('#request-detail pre[data-content=request]') : null,
    answer: contentShown ? await page.textContent('#request-detail pre[data-content=answer]') : null,
    injected: await page.$$eval('#request-detail img, #request-detail b', (es) => es.length),
  };
  await page.screenshot({ path: join(shots, '7-request-content.png'), fullPage: true });
  await page.click('nav button[data-tab=catalog]');
  await page.waitForSelector('#catalog-table tr[data-id="sim-us-east/sim-large"]');
  await page.screenshot({ path: join(shots, '4-catalog.png'), fullPage: true });
  await page.click('nav button[data-tab=health]');
  await page.waitForSelector('#regions [data-region="us-east-1"]');
  const before = await page.textContent('#regions [data-region="us-east-1"] .value');
  say('traffic_seen', { overview, spendRequests, hourlyRequests, keySpentToday, allRequests, smallRequests,
    olderPage, requestDetail, content, usEastBefore: before });

  await waitFor('region-down');
  // The health map (auto-refreshed) shows us-east-1 out of rotation and the failover in the timeline.
  await page.waitForFunction(() => document.querySelector('#regions [data-region="us-east-1"] .value')?.textContent !== 'up');
  await page.waitForSelector('#events li[data-type=circuit_open]');
  const usEast = await page.textContent('#regions [data-region="us-east-1"] .value');
  const euWest = await page.textContent('#regions [data-region="eu-west-1"] .value');
  // Ejected, or its ejection over and waiting for the probe: either way out of rotation.
  const outOfRotation = await page.$$eval('#deployments tbody tr', (rs) => rs
    .filter((r) => !r.querySelector('.badge').textContent.startsWith('healthy')).map((r) => r.dataset.id));
  const events = await page.$$eval('#events li', (ls) => ls.map((l) => l.textContent));
  await page.screenshot({ path: join(shots, '5-health-region-down.png'), fullPage: true });

  // Reloading keeps the session; logging out forgets the key.
  await page.reload();
  await page.waitForSelector('#tabs:not([hidden])');
  await page.click('#logout');
  const stored = await page.evaluate(() => sessionStorage.length);
  say('done', { usEast, euWest, outOfRotation, events, storedAfterLogout: stored, problems, offsite });
  await browser.close();
  process.exit(0);
} catch (e) {
  say('failed', { error: String(e?.stack || e), problems, offsite });
  await browser.close().catch(() => {});
  process.exit(1);
}
