// One client's page (#/clients/{id}): its state, availability over 24 h / 7 d / 30 d, the 7-day bar, its
// connection log and its alerts, kept current by the state and alert streams of this client.
import { get, download, stream, throttle, ApiError } from './api.js';
import { $, h, time, duration, percent, statusBadge, disconnectText, plannedChips } from './dom.js';
import { renderBar } from './availability-bar.js';
import { alertItem } from './alerts.js';

let id = null;
let oldest = null;

const path = () => `/clientconnectionstates/${encodeURIComponent(id)}`;

function fact(label, ...value) {
  return [h('dt', null, label), h('dd', null, ...(value.some(v => v !== '' && v != null) ? value : ['–']))];
}

function renderState(state) {
  $('client-status').replaceChildren(h('span', null, statusBadge(state.connectionStatus),
    state.flapping ? h('span', { class: 'chip flapping' }, '↯ flapping') : null,
    ...plannedChips(state),
    state.unconfirmedSince ? h('span', { class: 'chip unknown' }, '? unconfirmed') : null));
  const connected = state.connectionStatus === 'connected';
  $('client-state').replaceChildren(
    ...fact(connected ? 'Connected since' : 'Disconnected since', time(connected ? state.lastConnectTime : state.lastDisconnectTime)),
    ...fact('Last disconnect', disconnectText(state), state.lastDisconnectTime && connected ? h('span', { class: 'sub' }, time(state.lastDisconnectTime)) : ''),
    ...fact('Last activity', state.lastActivityEvent ? state.lastActivityEvent.replace(/^mqtt/, '') + ' ' : '', time(state.lastActivityTime)),
    ...fact('Client type', state.clientType),
    ...fact('MQTT', state.mqttConnectProtocol),
    ...fact('Address', state.ipAddress),
    ...fact('User', state.username),
    ...fact('Broker node', state.node),
    ...(state.flapping ? fact('Flapping since', time(state.flappingSince)) : []),
    ...(state.inMaintenance ? fact('Maintenance', 'in a window now') : []),
    ...(state.asleep || state.overdue ? fact('Check-in', state.asleep ? 'asleep: not yet due' : 'overdue: missed') : []),
    ...(state.unconfirmedSince ? fact('Unconfirmed since', time(state.unconfirmedSince)) : []));
}

async function loadState() {
  try {
    const state = await get(path());
    $('client-missing').hidden = true;
    $('client-body').hidden = false;
    renderState(state);
    return true;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    $('client-missing').hidden = false;
    $('client-body').hidden = true;
    $('client-status').replaceChildren();
    return false;
  }
}

function renderTile(tile, availability) {
  tile.querySelector('b').textContent = percent(availability.availability);
  const parts = [`${availability.disconnects} disconnect${availability.disconnects === 1 ? '' : 's'}`];
  if (availability.disconnectedSeconds) parts.push(`${duration(availability.disconnectedSeconds)} offline`);
  if (availability.unknownSeconds) parts.push(`no record for ${duration(availability.unknownSeconds)}`);
  if (availability.asleepSeconds) parts.push(`${duration(availability.asleepSeconds)} asleep`);
  if (availability.maintenanceSeconds) parts.push(`${duration(availability.maintenanceSeconds)} maintenance`);
  tile.querySelector('small').textContent = parts.join(' · ');
  tile.title = `${availability.since} → ${availability.until} (UTC)`;
}

async function loadAvailability() {
  const tiles = [...document.querySelectorAll('#availability .tile')];
  await Promise.all(tiles.map(async tile => {
    const week = tile.dataset.window === 'P7D';
    const availability = await get(`${path()}/availability`,
      week ? { since: 'P7D', segments: 'true' } : { since: tile.dataset.window });
    renderTile(tile, availability);
    if (week) {
      renderBar($('bar'), $('bar-ticks'), $('bar-detail'), availability);
      $('bar').dataset.since = availability.since;
      $('bar').dataset.until = availability.until;
    }
  }));
}

const EVENTS = { connected: '●', disconnected: '✕', connect_failed: '⊘' };

function logItem(entry) {
  return h('li', { class: `entry ${entry.event}` },
    h('span', { class: 'entry-shape', 'aria-hidden': 'true' }, EVENTS[entry.event] || '·'),
    h('span', { class: 'entry-body' }, h('span', { class: 'entry-message' }, entry.message),
      h('span', { class: 'sub' }, time(entry.timestamp), entry.ipAddress ? ` · ${entry.ipAddress}` : '',
        entry.node ? ` · ${entry.node}` : '')));
}

async function loadLog(older) {
  const params = { clientId: id, _limit: 100 };
  if (older && oldest) params.until = oldest;
  const entries = await get('/logs/connection', params);
  const items = entries.map(logItem);
  if (older) $('log').append(...items); else $('log').replaceChildren(...items);
  if (!older || entries.length) oldest = entries.length ? entries[entries.length - 1].timestamp : oldest;
  $('log-more').hidden = entries.length < 100;
  if (!older && !entries.length) $('log').append(h('li', { class: 'note' }, 'No connection recorded.'));
}

async function loadAlerts() {
  const page = await get('/alerts', { clientId: id, _limit: 20 });
  $('client-alerts').replaceChildren(...page.results.map(alert => alertItem(alert, false)));
  $('client-alerts-empty').hidden = page.results.length > 0;
}

const onMore = () => loadLog(true);
const onLogCsv = () => download('/logs/connection', { clientId: id, since: 'P30D' }, 'connmon-log.csv');

export function show(clientId) {
  id = clientId;
  oldest = null;
  $('client-title').textContent = id;
  $('log').replaceChildren();
  $('bar').replaceChildren();
  $('view-client').dataset.client = id;
  $('client-back').href = '#/clients';
  $('log-more').addEventListener('click', onMore);
  $('log-csv').addEventListener('click', onLogCsv);
  loadState().then(known => known && Promise.all([loadAvailability(), loadLog(false), loadAlerts()]))
    .finally(() => { if (id === clientId) $('view-client').dataset.loaded = id; });
  const refresh = throttle(() => { if (id === clientId) { loadAvailability(); loadLog(false); } }, 2000);
  // the prefix filter narrows the stream to ids that start with this one; the exact id is checked here
  const closeStates = stream('/clientconnectionstates', { clientIdPrefix: id }, {
    state: state => { if (state.id === id) { renderState(state); $('client-missing').hidden = true; $('client-body').hidden = false; refresh(); } },
    deleted: gone => { if (gone.id === id) loadState(); },
  });
  const closeAlerts = stream('/alerts', { clientId: id }, { alert: () => loadAlerts() });
  const timer = setInterval(() => { loadState(); loadAvailability(); }, 60000);
  return () => {
    closeStates();
    closeAlerts();
    clearInterval(timer);
    $('log-more').removeEventListener('click', onMore);
    $('log-csv').removeEventListener('click', onLogCsv);
    delete $('view-client').dataset.loaded;
    id = null;
  };
}
