// The dashboard: plain ES module, no build step. It reads the admin API with the master key the user typed; the key
// lives in sessionStorage (this tab only) and goes nowhere but this gateway. Data is put into the page as text
// nodes only, never as HTML.
import { lineChart, stackedBars, COLORS } from './charts.js';

const KEY = 'switchboard.masterKey';
const REFRESH_MS = 2000;
const $ = (id) => document.getElementById(id);
let current = 'overview';
let timer = null;
const rps = [];

function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function table(columns, rows) {
  return h('table', {},
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: c.num ? 'num' : null }, c.title)))),
    h('tbody', {}, rows.map((r) => {
      const tr = h('tr', { class: r._class || null, 'data-id': r._id || null },
        columns.map((c) => h('td', { class: c.num ? 'num' : null }, c.cell(r))));
      return tr;
    })));
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, { method = 'GET', body } = {}) {
  const key = sessionStorage.getItem(KEY);
  const init = { method, headers: { Authorization: `Bearer ${key}` }, cache: 'no-store' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) {
    if (res.status === 401 || res.status === 403) logout(json?.error?.message || 'The key was refused.');
    throw new ApiError(res.status, json?.error?.message || `${method} ${path}: HTTP ${res.status}`);
  }
  return json;
}

// ---- login ----

async function login(key) {
  sessionStorage.setItem(KEY, key);
  try {
    await api('/admin/teams');
  } catch (e) {
    if (!sessionStorage.getItem(KEY)) return;
    $('login-error').textContent = e.message;
    return;
  }
  $('login').hidden = true;
  $('tabs').hidden = false;
  $('logout').hidden = false;
  show(current);
}

function logout(message) {
  sessionStorage.removeItem(KEY);
  clearInterval(timer);
  document.querySelectorAll('.tab').forEach((s) => { s.hidden = true; });
  $('tabs').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message || '';
}

// ---- tabs ----

const loaders = { overview: loadOverview, health: loadHealth, keys: loadKeys, spend: loadSpend, catalog: loadCatalog,
  requests: loadRequests };
const live = new Set(['overview', 'health', 'requests']);

function show(tab) {
  current = tab;
  document.querySelectorAll('nav button').forEach((b) => b.classList.toggle('active', b.dataset.tab === tab));
  document.querySelectorAll('.tab').forEach((s) => { s.hidden = s.id !== tab; });
  clearInterval(timer);
  run(tab);
  if (live.has(tab)) timer = setInterval(() => { if (tab !== 'requests' || requestsLive()) run(tab); }, REFRESH_MS);
}

async function run(tab) {
  try {
    await loaders[tab]();
    document.body.dataset.loaded = tab;
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 403)) console.error(e);
  }
}

// ---- overview ----

function card(label, value, cls, id) {
  return h('div', { class: `card ${cls || ''}`, 'data-metric': id },
    h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));
}

const ms = (v) => (v === null || v === undefined ? '–' : `${v} ms`);

async function loadOverview() {
  const o = await api('/admin/overview?window=60s');
  rps.push(o.requests_per_second);
  if (rps.length > 90) rps.shift();
  $('overview-cards').replaceChildren(
    card('Requests / s', o.requests_per_second, '', 'rps'),
    card('Requests (last 60 s)', o.requests, '', 'requests'),
    card('Error rate', `${(o.error_rate * 100).toFixed(1)} %`, o.error_rate > 0.05 ? 'down' : '', 'error-rate'),
    card('Latency p50 / p99', `${ms(o.latency_ms.p50)} / ${ms(o.latency_ms.p99)}`, '', 'latency'),
    card('First token p50 / p99', `${ms(o.time_to_first_byte_ms.p50)} / ${ms(o.time_to_first_byte_ms.p99)}`, '', 'ttft'),
    card('Tokens / s', o.tokens_per_second, '', 'tps'),
    card(`Spend today (${o.day} UTC)`, `$${o.spend_today_usd}`, '', 'spend-today'));
  $('rps-chart').replaceChildren(lineChart(rps, { label: `sampled every ${REFRESH_MS / 1000} s` }));
  $('overview-note').textContent = 'Rates and latencies: this instance, last 60 s (latencies rounded up to a '
    + 'histogram bucket). Spend today: the ledger, every instance.';
}

// ---- health ----

function stateBadge(state) {
  const cls = state.startsWith('healthy') ? (state === 'healthy' ? '' : 'warn') : state === 'ejected' ? 'bad' : 'warn';
  return h('span', { class: `badge ${cls}` }, state);
}

async function loadHealth() {
  const models = (await api('/v1/models')).data;
  const reports = await Promise.all(models.map((m) => api(`/admin/routes/${encodeURIComponent(m.id)}`)));
  const rows = [];
  const regions = new Map();
  reports.forEach((r) => r.order.forEach((d) => {
    rows.push({ model: r.model, chosen: r.chosen === d.deployment, ...d, _id: d.deployment });
    const reg = d.region || '(none)';
    const s = regions.get(reg) || { total: 0, out: 0 };
    s.total++;
    if (!d.state.startsWith('healthy')) s.out++;
    regions.set(reg, s);
  }));
  $('regions').replaceChildren(...[...regions.entries()].sort().map(([name, s]) => {
    const status = s.out === 0 ? 'up' : s.out === s.total ? 'down' : 'degraded';
    const c = card(name, status, status, 'region');
    c.dataset.region = name;
    c.append(h('div', { class: 'label' }, `${s.total - s.out} of ${s.total} deployments in rotation`));
    return c;
  }));
  $('deployments').replaceChildren(table([
    { title: 'Model', cell: (r) => r.model },
    { title: 'Deployment', cell: (r) => [r.deployment, r.chosen ? h('span', { class: 'note' }, ' (chosen)') : null] },
    { title: 'Region', cell: (r) => r.region || '' },
    { title: 'State', cell: (r) => stateBadge(r.state) },
    { title: 'In flight', num: true, cell: (r) => `${r.in_flight} / ${r.concurrency_limit}` },
    { title: 'First byte', num: true, cell: (r) => ms(r.time_to_first_byte_ms) },
    { title: 'Tokens/s', num: true, cell: (r) => r.tokens_per_second ?? '–' },
  ], rows));
  const events = (await api('/admin/events?limit=50')).data;
  $('events').replaceChildren(...(events.length === 0
    ? [h('li', { class: 'empty' }, 'No circuit has opened since the gateway started.')]
    : events.map((e) => h('li', { 'data-type': e.type, class: e.type.endsWith('closed') || e.type.endsWith('up') ? 'good' : null },
      h('time', { datetime: e.time }, new Date(e.time).toLocaleTimeString()), describe(e)))));
}

function describe(e) {
  const where = e.region ? ` (${e.region})` : '';
  switch (e.type) {
    case 'circuit_open': return `Circuit opened: ${e.deployment}${where}, ejected for ${(e.ejected_ms / 1000).toFixed(1)} s`;
    case 'circuit_closed': return `Circuit closed: ${e.deployment}${where} answered its probe`;
    case 'region_down': return `Region ${e.region} down: all ${e.deployments} deployments ejected`;
    case 'region_up': return `Region ${e.region} back: a deployment answered again`;
    default: return `${e.type}${where}`;
  }
}

// ---- keys and teams ----

const numOrNull = (v) => (v === '' || v === undefined ? null : Number(v));
const list = (v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);
const limitsText = (l) => ['rpm', 'tpm', 'concurrency'].filter((k) => l && l[k] != null).map((k) => `${k} ${l[k]}`).join(', ') || 'none';
const budgetsText = (b) => (b && b.length ? b.map((x) => `$${x.usd}/${x.period}`).join(', ') : 'none');

function editForm(path, item) {
  const f = h('form', { class: 'edit', hidden: true },
    h('input', { name: 'rpm', placeholder: 'rpm', value: item.limits?.rpm ?? '' }),
    h('input', { name: 'tpm', placeholder: 'tpm', value: item.limits?.tpm ?? '' }),
    h('input', { name: 'concurrency', placeholder: 'concurrency', value: item.limits?.concurrency ?? '' }),
    h('input', { name: 'budgets', placeholder: '5/day', value: (item.budgets || []).map((b) => `${b.usd}/${b.period}`).join(', ') }),
    h('button', { type: 'submit' }, 'Save'));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = Object.fromEntries(new FormData(f));
    await guarded(() => api(path, { method: 'PATCH', body: {
      limits: { rpm: numOrNull(d.rpm), tpm: numOrNull(d.tpm), concurrency: numOrNull(d.concurrency) },
      budgets: list(d.budgets) } }));
    loadKeys();
  });
  return f;
}

async function guarded(fn) {
  $('keys-error').textContent = '';
  try {
    return await fn();
  } catch (e) {
    $('keys-error').textContent = e.message;
    throw e;
  }
}

function actions(path, item, revocable) {
  const form = editForm(path, item);
  return h('div', {},
    h('button', { type: 'button', class: 'edit-limits', onclick: () => { form.hidden = !form.hidden; } }, 'Edit limits'),
    revocable ? h('button', { type: 'button', class: 'revoke', onclick: async () => {
      if (!confirm(`Revoke ${item.name} (${item.prefix})? Clients using it are refused at once.`)) return;
      await guarded(() => api(`${path}/revoke`, { method: 'POST' }));
      loadKeys();
    } }, 'Revoke') : null,
    form);
}

async function loadKeys() {
  const today = new Date().toISOString().slice(0, 10);
  const [keys, teams, byKey, byTeam] = await Promise.all([api('/admin/keys'), api('/admin/teams'),
    api(`/admin/usage?group_by=key&from=${today}&to=${today}`), api(`/admin/usage?group_by=team&from=${today}&to=${today}`)]);
  const spentKey = new Map(byKey.rows.map((r) => [r.key, r.cost_usd]));
  const spentTeam = new Map(byTeam.rows.map((r) => [r.team, r.cost_usd]));
  const select = document.querySelector('#key-form select[name=team]');
  const chosen = select.value;
  select.replaceChildren(h('option', { value: '' }, '(default team)'), ...teams.data.filter((t) => t.name !== 'default').map((t) => h('option', { value: t.name, selected: t.name === chosen }, t.name)));
  $('key-list').replaceChildren(table([
    { title: 'Name', cell: (k) => k.name },
    { title: 'Prefix', cell: (k) => h('code', {}, k.prefix) },
    { title: 'Team', cell: (k) => k.team_name },
    { title: 'Models', cell: (k) => (k.models.length ? k.models.join(', ') : 'all') },
    { title: 'Limits', cell: (k) => limitsText(k.limits) },
    { title: 'Budgets', cell: (k) => budgetsText(k.budgets) },
    { title: 'Spent today (UTC)', num: true, cell: (k) => `$${spentKey.get(k.id) ?? '0'}` },
    { title: 'Status', cell: (k) => k.status },
    { title: '', cell: (k) => (k.status === 'revoked' ? '' : actions(`/admin/keys/${encodeURIComponent(k.id)}`, k, true)) },
  ], keys.data.map((k) => ({ ...k, _id: k.name, _class: k.status === 'revoked' ? 'revoked' : null }))));
  $('team-list').replaceChildren(table([
    { title: 'Name', cell: (t) => t.name },
    { title: 'Limits', cell: (t) => limitsText(t.limits) },
    { title: 'Budgets', cell: (t) => budgetsText(t.budgets) },
    { title: 'Spent today (UTC)', num: true, cell: (t) => `$${spentTeam.get(t.id) ?? '0'}` },
    { title: '', cell: (t) => actions(`/admin/teams/${encodeURIComponent(t.id)}`, t, false) },
  ], teams.data.map((t) => ({ ...t, _id: t.name }))));
}

function limitsOf(d) {
  const l = {};
  for (const k of ['rpm', 'tpm']) if (d[k]) l[k] = Number(d[k]);
  return l;
}

async function createKey(ev) {
  ev.preventDefault();
  const f = ev.target;
  const d = Object.fromEntries(new FormData(f));
  const body = { name: d.name, team: d.team || undefined, models: list(d.models), limits: limitsOf(d), budgets: list(d.budgets) };
  const made = await guarded(() => api('/admin/keys', { method: 'POST', body }));
  $('new-key-warning').textContent = made.warning;
  $('new-key-value').textContent = made.key;
  $('new-key').hidden = false;
  f.reset();
  loadKeys();
}

async function createTeam(ev) {
  ev.preventDefault();
  const f = ev.target;
  const d = Object.fromEntries(new FormData(f));
  await guarded(() => api('/admin/teams', { method: 'POST', body: { name: d.name, limits: limitsOf(d), budgets: list(d.budgets) } }));
  f.reset();
  loadKeys();
}

// ---- spend ----

async function loadSpend() {
  const form = $('spend-form');
  const by = form.elements.by.value;
  const hourly = form.elements.grain.value === 'hour';
  // Per hour: the last 48 hours; per day: the chosen number of days. UTC throughout, as the ledger counts.
  const step = hourly ? 3600000 : 86400000;
  const count = hourly ? 48 : Number(form.elements.span.value);
  form.elements.span.disabled = hourly;
  const now = Date.now();
  const first = Math.floor(now / step) * step - (count - 1) * step;
  const iso = (t) => new Date(t).toISOString().slice(0, 10);
  const usage = await api(`/admin/usage?group_by=${hourly ? 'hour' : 'day'},${by}&from=${iso(first)}&to=${iso(now)}`);
  const labels = [];
  for (let i = 0; i < count; i++) {
    const t = new Date(first + i * step).toISOString();
    labels.push(hourly ? `${t.slice(0, 13)}:00Z` : t.slice(0, 10));
  }
  const slotOf = (r) => labels.indexOf(hourly ? r.hour : r.day);
  const nameOf = (r) => (by === 'key' ? r.key_name || r.key : by === 'team' ? r.team_name || r.team : r.model) || '(none)';
  const series = new Map();
  for (const r of usage.rows) {
    const i = slotOf(r);
    if (i < 0) continue; // an hour of the first day, before the 48 shown
    const name = nameOf(r);
    if (!series.has(name)) series.set(name, { name, values: labels.map(() => 0), requests: 0, cost: 0 });
    const s = series.get(name);
    s.values[i] += Number(r.cost_usd);
    s.requests += r.requests;
    s.cost += Number(r.cost_usd);
  }
  const all = [...series.values()];
  $('spend-chart').replaceChildren(
    h('div', { class: 'legend' }, all.map((s, j) => h('span', { 'data-series': s.name },
      h('span', { class: 'swatch', 'data-color': j }), s.name))),
    stackedBars(hourly ? labels.map((l) => `${l.slice(5, 10)} ${l.slice(11, 13)}h`) : labels.map((l) => l.slice(5)), all,
      { unit: '$' }));
  $('spend-chart').querySelectorAll('.swatch').forEach((sw) => {
    sw.style.background = COLORS[Number(sw.dataset.color) % COLORS.length];
  });
  $('spend-table').replaceChildren(table([
    { title: by, cell: (s) => s.name },
    { title: 'Requests', num: true, cell: (s) => s.requests },
    { title: 'Spend (USD)', num: true, cell: (s) => s.cost.toFixed(6) },
  ], all.map((s) => ({ ...s, _id: s.name }))));
}

// ---- catalog ----

async function loadCatalog() {
  const models = (await api('/v1/models')).data;
  const rows = [];
  for (const m of models) {
    for (const d of m.deployments || [{ id: m.owned_by, region: null }]) rows.push({ model: m.id, strategy: m.strategy, ...d });
  }
  const perToken = (v) => (v === undefined || v === null ? '–' : `$${(Number(v) / 1e6).toExponential(2)}`);
  const blended = (p) => (p ? `$${((3 * Number(p.input) + Number(p.output)) / 4 / 1e3).toFixed(6)}` : '–');
  $('catalog-table').replaceChildren(table([
    { title: 'Model', cell: (r) => r.model },
    { title: 'Strategy', cell: (r) => r.strategy || '' },
    { title: 'Deployment', cell: (r) => r.id },
    { title: 'Region', cell: (r) => r.region || '' },
    { title: 'Input $/M', num: true, cell: (r) => r.price_per_million_tokens?.input ?? '–' },
    { title: 'Output $/M', num: true, cell: (r) => r.price_per_million_tokens?.output ?? '–' },
    { title: 'Input $/token', num: true, cell: (r) => perToken(r.price_per_million_tokens?.input) },
    { title: 'Output $/token', num: true, cell: (r) => perToken(r.price_per_million_tokens?.output) },
    { title: 'Per 1K tokens (3:1)', num: true, cell: (r) => blended(r.price_per_million_tokens) },
  ], rows.map((r) => ({ ...r, _id: r.id }))));
}

// ---- request log explorer (GET /admin/requests, GET /admin/requests/{id}) ----

// Paging walks older with `before`; `pages` holds the `before` of each page shown, so "Newest" can start over.
const requestPaging = { before: null, pages: 0 };

function requestFilters() {
  const d = Object.fromEntries(new FormData($('request-filters')));
  const q = new URLSearchParams();
  for (const k of ['model', 'key', 'team', 'deployment', 'status', 'outcome']) if (d[k]?.trim()) q.set(k, d[k].trim());
  // datetime-local is the browser's local time; the API wants an instant.
  for (const k of ['from', 'to']) if (d[k]) q.set(k, new Date(d[k]).toISOString());
  return q;
}

// Auto-refresh only shows the newest unfiltered page: a refresh must not move rows under a filtering or paging user.
function requestsLive() {
  return $('request-auto').checked && requestPaging.before === null && requestFilters().size === 0;
}

const dash = (v) => (v === null || v === undefined ? '–' : v);

async function loadRequests() {
  const q = requestFilters();
  const filtered = q.size > 0;
  q.set('limit', $('request-filters').elements.limit.value);
  if (requestPaging.before) q.set('before', requestPaging.before);
  let answer;
  try {
    answer = await api(`/admin/requests?${q}`);
  } catch (e) {
    // A filter the API refuses (unknown key, bad time): say why, and show no rows that the filter did not select.
    if (e instanceof ApiError && e.status !== 401 && e.status !== 403) {
      $('requests-error').textContent = e.message;
      $('request-log').replaceChildren();
      $('request-older').disabled = true;
      return;
    }
    throw e;
  }
  $('requests-error').textContent = '';
  const rows = answer.data;
  $('request-older').disabled = !answer.has_more;
  $('request-older').dataset.next = answer.next_before || '';
  $('request-newest').disabled = requestPaging.before === null;
  $('request-page').textContent = requestPaging.before === null
    ? `newest ${rows.length}${answer.has_more ? ' (more older)' : ''}`
    : `page ${requestPaging.pages + 1}: ${rows.length} older requests`;
  if (rows.length === 0) {
    $('request-log').replaceChildren(h('p', { class: 'note', 'data-state': 'empty' },
      !filtered && requestPaging.before === null ? 'No requests logged yet.' : 'No requests match these filters.'));
    return;
  }
  const selected = $('request-detail').dataset.id;
  $('request-log').replaceChildren(table([
    { title: 'Time', cell: (r) => h('time', { datetime: r.time, title: r.time }, new Date(r.time).toLocaleTimeString()) },
    { title: 'Key', cell: (r) => [r.key_name || '', r.key ? h('code', { class: 'prefix' }, ` ${r.key}`) : null] },
    { title: 'Team', cell: (r) => r.team_name || r.team || '' },
    { title: 'Model', cell: (r) => r.model || '' },
    { title: 'Deployment', cell: (r) => r.deployment || '' },
    { title: 'Region', cell: (r) => r.region || '' },
    { title: 'Status', num: true, cell: (r) => h('span', { class: `badge ${r.status >= 500 ? 'bad' : r.status >= 400 ? 'warn' : ''}` }, r.status) },
    { title: 'Outcome', cell: (r) => r.outcome || '' },
    { title: 'In', num: true, cell: (r) => dash(r.input_tokens) },
    { title: 'Out', num: true, cell: (r) => dash(r.output_tokens) },
    { title: 'Cost $', num: true, cell: (r) => dash(r.cost_usd) },
    { title: 'Duration', num: true, cell: (r) => ms(r.duration_ms) },
    { title: 'TTFT', num: true, cell: (r) => ms(r.ttft_ms) },
    { title: 'Tries', num: true, cell: (r) => r.attempts },
    { title: 'Est.', cell: (r) => (r.estimated ? h('span', { title: 'tokens estimated: the upstream reported no usage' }, 'est.') : '') },
  ], rows.map((r) => ({ ...r, _id: r.id, _class: `clickable${r.id === selected ? ' selected' : ''}` }))));
}

// Logged bodies are mostly JSON (a streamed answer is its text): indent JSON for reading, leave the rest as it is.
function pretty(text) {
  if (text === null || text === undefined) return '';
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
}

async function showRequest(id) {
  const panel = $('request-detail');
  panel.dataset.id = id;
  document.querySelectorAll('#request-log tr.selected').forEach((tr) => tr.classList.remove('selected'));
  document.querySelector(`#request-log tr[data-id="${CSS.escape(id)}"]`)?.classList.add('selected');
  let r;
  try {
    r = await api(`/admin/requests/${encodeURIComponent(id)}`);
  } catch (e) {
    panel.replaceChildren(h('p', { class: 'error' }, e.message));
    panel.hidden = false;
    return;
  }
  const fields = Object.entries(r).filter(([k]) => k !== 'object' && k !== 'content');
  const parts = [
    h('div', { class: 'detail-head' }, h('h3', {}, `Request ${r.id}`),
      h('button', { type: 'button', onclick: () => { panel.hidden = true; delete panel.dataset.id; } }, 'Close')),
    h('dl', { class: 'fields' }, fields.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', { 'data-field': k }, v === null ? '–' : String(v))))),
  ];
  if (r.content_logging && r.content) {
    const c = r.content;
    parts.push(h('h3', {}, 'Prompt', c.request_truncated ? h('span', { class: 'note' }, ' (truncated)') : null),
      h('pre', { class: 'content', 'data-content': 'request' }, pretty(c.request)),
      h('h3', {}, 'Answer', c.answer_truncated ? h('span', { class: 'note' }, ' (truncated)') : null),
      h('pre', { class: 'content', 'data-content': 'answer' }, pretty(c.answer)));
  } else {
    const ref = r.key_id || '<id>';
    parts.push(h('p', { class: 'note', 'data-state': 'content-off' }, r.key_id
      ? ['Content logging is off for this key — enable it with ', h('code', {}, `switchboard keys update ${ref} --log-content true`),
        ' (new requests only).']
      : 'Content logging is off: this request was made with the master key, whose prompts are never kept.'));
  }
  panel.replaceChildren(...parts);
  panel.hidden = false;
}

function wireRequests() {
  const form = $('request-filters');
  const again = () => { requestPaging.before = null; requestPaging.pages = 0; run('requests'); };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); again(); });
  form.addEventListener('change', (ev) => { if (ev.target.tagName === 'SELECT') again(); });
  $('request-clear').addEventListener('click', () => { form.reset(); again(); });
  $('request-newest').addEventListener('click', again);
  $('request-older').addEventListener('click', () => {
    requestPaging.before = $('request-older').dataset.next || null;
    requestPaging.pages++;
    run('requests');
  });
  $('request-log').addEventListener('click', (ev) => {
    const tr = ev.target.closest('tbody tr[data-id]');
    if (tr) showRequest(tr.dataset.id);
  });
}

// ---- start ----

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    login($('master-key').value.trim());
    $('master-key').value = '';
  });
  $('logout').addEventListener('click', () => logout());
  document.querySelectorAll('nav button').forEach((b) => b.addEventListener('click', () => show(b.dataset.tab)));
  $('key-form').addEventListener('submit', (ev) => createKey(ev).catch(() => {}));
  $('team-form').addEventListener('submit', (ev) => createTeam(ev).catch(() => {}));
  $('new-key-hide').addEventListener('click', () => { $('new-key').hidden = true; $('new-key-value').textContent = ''; });
  $('spend-form').addEventListener('change', () => run('spend'));
  wireRequests();
  if (sessionStorage.getItem(KEY)) login(sessionStorage.getItem(KEY));
});
