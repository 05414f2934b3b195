// The clients list: every filter of GET /clientconnectionstates (docs/api.md §2) as a form control, kept in the URL
// (#/clients?connectionStatus=disconnected&…) so that a view can be bookmarked; keyset pages; CSV of the filter;
// rows on screen kept current by the live stream.
import { get, download, stream, ApiError } from './api.js';
import { $, h, time, statusBadge, disconnectText, plannedChips } from './dom.js';

const DEFAULTS = { _sort: '-lastActivityTime', _limit: '50' };
const TIMES = ['connectedAfter', 'connectedBefore', 'disconnectedAfter', 'disconnectedBefore', 'activeAfter', 'activeBefore'];
// a client's id never changes, so these filters can go to the stream; the others are checked here, per change
const ID_FILTERS = ['clientIdPrefix', 'clientType', 'deviceType', 'deviceId'];

let rows = new Map();
let pages = [null];  // the bookmark of each page seen; page 1 has none
let page = 0;
let closeStream = null;
let query = new URLSearchParams();

const form = () => $('filters');

/** A time as typed: an ISO duration or epoch millis as is, a local date and time as the UTC instant it means. */
function apiTime(text) {
  const value = text.trim();
  if (!value || /^p/i.test(value) || /^\d+$/.test(value)) return value.toUpperCase();
  const parsed = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : value.replace(' ', 'T'));
  return isNaN(parsed) ? value : parsed.toISOString();
}

/** The form as the API's query, without empty fields or defaults. */
function readForm() {
  const params = new URLSearchParams();
  for (const element of form().elements) {
    if (!element.name || !element.value.trim()) continue;
    const value = TIMES.includes(element.name) ? apiTime(element.value) : element.value.trim();
    if (DEFAULTS[element.name] !== value) params.set(element.name, value);
  }
  return params;
}

function fillForm(params) {
  for (const element of form().elements) {
    if (element.name) element.value = params.get(element.name) ?? DEFAULTS[element.name] ?? '';
  }
  $('time-filters').open = TIMES.some(name => params.has(name));
}

function apiParams(extra) {
  const params = new URLSearchParams(query);
  for (const [name, value] of Object.entries(DEFAULTS)) if (!params.has(name)) params.set(name, value);
  for (const [name, value] of Object.entries(extra || {})) params.set(name, value);
  return params;
}

function cell(...content) { return h('td', null, ...content); }

function renderRow(state, tr) {
  const since = state.connectionStatus === 'connected' ? state.lastConnectTime : state.lastDisconnectTime;
  const link = h('a', { href: `#/clients/${encodeURIComponent(state.id)}`, class: 'client-id' }, state.id);
  tr.dataset.status = state.connectionStatus;
  tr.replaceChildren(
    cell(statusBadge(state.connectionStatus), state.flapping ? h('span', { class: 'chip flapping' }, '↯ flapping') : null,
      ...plannedChips(state)),
    cell(link, h('span', { class: 'chip' }, state.clientType)),
    cell(time(since)),
    cell(state.lastActivityEvent ? h('span', { class: 'event' }, state.lastActivityEvent.replace(/^mqtt/, '')) : '',
      ' ', time(state.lastActivityTime)),
    cell(disconnectText(state), state.lastDisconnectTime ? h('span', { class: 'sub' }, time(state.lastDisconnectTime)) : ''));
  for (const [td, label] of [...tr.children].map((td, i) => [td, ['Status', 'Client', 'Since', 'Last activity', 'Last disconnect'][i]])) {
    td.dataset.label = label;
  }
}

function addRow(state, where) {
  const tr = h('tr', { 'data-id': state.id });
  renderRow(state, tr);
  rows.set(state.id, tr);
  if (where === 'top') $('clients').prepend(tr); else $('clients').append(tr);
  return tr;
}

function flash(tr) { tr.classList.remove('flash'); void tr.offsetWidth; tr.classList.add('flash'); }

/** Whether a changed state still matches the filters that can change with it (times are left to the next page). */
function stillMatches(state) {
  const want = (name, actual) => !query.has(name) || query.get(name) === String(actual);
  return want('connectionStatus', state.connectionStatus) && want('flapping', state.flapping)
    && want('inMaintenance', state.inMaintenance) && want('overdue', state.overdue)
    && want('disconnectInitiator', state.lastDisconnectInitiator)
    && want('disconnectReasonCode', state.lastDisconnectReasonCode);
}

async function loadPage() {
  $('filters-error').textContent = '';
  let answer;
  try {
    answer = await get('/clientconnectionstates', apiParams(pages[page] ? { _bookmark: pages[page] } : {}));
  } catch (error) {
    if (error instanceof ApiError) $('filters-error').textContent = `The filter was refused: ${error.message}`;
    return;
  }
  rows = new Map();
  $('clients').replaceChildren();
  answer.results.forEach(state => addRow(state));
  pages[page + 1] = answer.bookmark || undefined;
  $('clients-empty').hidden = answer.results.length > 0;
  $('page-prev').disabled = page === 0;
  $('page-next').disabled = !answer.bookmark;
  $('page-label').textContent = `Page ${page + 1} · ${answer.results.length} client${answer.results.length === 1 ? '' : 's'}`;
  $('view-clients').dataset.loaded = query.toString();
}

function listen() {
  closeStream?.();
  const params = {};
  for (const name of ID_FILTERS) if (query.has(name)) params[name] = query.get(name);
  const timed = TIMES.some(name => query.has(name));
  closeStream = stream('/clientconnectionstates', params, {
    state: state => {
      let tr = rows.get(state.id);
      if (tr) renderRow(state, tr);
      else if (page === 0 && !timed && stillMatches(state)) tr = addRow(state, 'top');
      if (!tr) return;
      tr.classList.toggle('stale', !stillMatches(state));
      tr.title = stillMatches(state) ? '' : 'No longer matches the filter';
      flash(tr);
    },
    deleted: ({ id }) => { rows.get(id)?.remove(); rows.delete(id); },
  });
}

/** A new filter: into the URL (without restarting the view), back to page 1, and a stream of its own. */
function apply() {
  query = readForm();
  const text = query.toString();
  history.replaceState(null, '', `#/clients${text ? '?' + text : ''}`);
  pages = [null];
  page = 0;
  loadPage().then(listen);
}

// Enter in a text field is a change and a submit: one apply for both
let applyTimer = null;
function applySoon() { clearTimeout(applyTimer); applyTimer = setTimeout(apply, 0); }
const onSubmit = event => { event.preventDefault(); applySoon(); };
const onChange = () => applySoon();
const onReset = () => { fillForm(new URLSearchParams()); applySoon(); };
const onPrev = () => { if (page > 0) { page--; loadPage(); } };
const onNext = () => { if (pages[page + 1]) { page++; loadPage(); } };
const onCsv = () => {
  const params = apiParams();
  params.delete('_limit');
  download('/clientconnectionstates', params, 'connmon-clients.csv')
    .catch(error => { $('filters-error').textContent = `CSV refused: ${error.message}`; });
};

async function loadDeviceTypes() {
  try {
    const types = await get('/fleet/types');
    $('device-types').replaceChildren(...types.deviceTypes.map(t => h('option', { value: t.deviceType })));
  } catch (ignored) { /* the list works without suggestions */ }
}

const handlers = [['filters', 'submit', onSubmit], ['filters', 'change', onChange], ['filters-reset', 'click', onReset],
  ['page-prev', 'click', onPrev], ['page-next', 'click', onNext], ['csv', 'click', onCsv]];

export function show(params) {
  query = new URLSearchParams(params);
  for (const name of Object.keys(DEFAULTS)) if (query.get(name) === DEFAULTS[name]) query.delete(name);
  fillForm(query);
  pages = [null];
  page = 0;
  for (const [id, type, handler] of handlers) $(id).addEventListener(type, handler);
  loadDeviceTypes();
  loadPage().then(listen);
  return () => {
    for (const [id, type, handler] of handlers) $(id).removeEventListener(type, handler);
    closeStream?.();
    closeStream = null;
    delete $('view-clients').dataset.loaded;
  };
}
