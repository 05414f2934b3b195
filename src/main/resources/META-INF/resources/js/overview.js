// The overview: fleet counts (/summary), the chart of /fleet/timeline, clients by the reason of their last
// disconnect (/fleet/disconnect-reasons), open alerts; kept current by the state and alert streams.
import { get, stream, throttle } from './api.js';
import { $, h, time, count, duration } from './dom.js';
import { FleetChart } from './fleet-chart.js';
import { alertItem } from './alerts.js';

const RANGES = {
  '1h': { since: 'PT1H', step: 'PT1M', label: 'last hour' },
  '24h': { since: 'P1D', step: 'PT15M', label: 'last 24 h' },
  '7d': { since: 'P7D', step: 'PT2H', label: 'last 7 days' },
};
let range = '24h';
let scope = '';  // '' or 'clientType=device' or 'deviceType=pump'

function scopeParams() { return scope ? Object.fromEntries(new URLSearchParams(scope)) : {}; }

/** "PT15M" → "15 min" */
function isoDuration(text) {
  const match = /^PT?(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(text || '');
  if (!match) return text;
  const [, d = 0, hh = 0, m = 0, s = 0] = match.map(v => v && Number(v));
  return duration(d * 86400 + hh * 3600 + m * 60 + s);
}

async function loadCounts() {
  if (!chart) return;
  const summary = await get('/summary');
  $('count-connected').textContent = count(summary.connected);
  $('count-disconnected').textContent = count(summary.disconnected);
  $('count-flapping').textContent = count(summary.flapping);
  $('count-silent').textContent = count(summary.silent);
  $('count-silent-label').textContent = `silent ≥ ${isoDuration(summary.silentFor)}`;
  $('count-silent-link').href = `#/clients?connectionStatus=connected&activeBefore=${summary.silentFor}&_sort=lastActivityTime`;
  $('count-alerts').textContent = count(summary.openAlerts);
  $('empty-fleet').hidden = summary.connected + summary.disconnected > 0;
  const broker = await watchedBroker();
  $('empty-command').textContent =
    `mosquitto_sub -V mqttv5 -h ${broker.host} -p ${broker.port} -i my-first-device -t 'hello/#'`;
}

let brokerAddress;

/**
 * The broker devices connect to: the one connmon's monitoring connection uses (connmon.mqtt.*, or the embedded
 * broker on whatever port it was given), as readiness reports it. A loopback address is connmon's own machine, which
 * the browser knows by the page's host name.
 */
async function watchedBroker() {
  if (!brokerAddress) {
    brokerAddress = { host: location.hostname, port: '1883' };
    try {
      // 503 while not ready still carries the checks
      const health = await (await fetch('/q/health/ready')).json();
      const check = (health.checks || []).find(c => c.name === 'monitoring topic');
      const match = /^mqtts?:\/\/\[?([^\]]+?)\]?:(\d+)$/.exec((check && check.data && check.data.broker) || '');
      if (match) {
        const loopback = ['127.0.0.1', 'localhost', '::1'].includes(match[1]);
        brokerAddress = { host: loopback ? location.hostname : match[1], port: match[2] };
      }
    } catch (unavailable) {
      // keep the defaults: the hint is a hint
    }
  }
  return brokerAddress;
}

async function loadTypes() {
  if (!chart) return;
  const types = await get('/fleet/types');
  const select = $('chart-scope');
  const keep = select.value;
  select.replaceChildren(h('option', { value: '' }, 'all'),
    h('optgroup', { label: 'Client type' }, Object.entries(types.clientTypes).map(([type, n]) =>
      h('option', { value: `clientType=${type}` }, `${type} (${count(n)})`))),
    types.deviceTypes.length ? h('optgroup', { label: 'Device type' }, types.deviceTypes.map(t =>
      h('option', { value: `deviceType=${encodeURIComponent(t.deviceType)}` },
        `${t.deviceType} (${count(t.connected + t.disconnected)})`))) : null);
  select.value = keep;
  if (select.value !== keep) { select.value = ''; scope = ''; }
}

function dataTable(timeline) {
  const rows = timeline.buckets.map(b => h('tr', null,
    h('td', null, time(b.end, true)), h('td', null, b.connected == null ? 'no record' : count(b.connected)),
    h('td', null, count(b.disconnects.client)), h('td', null, count(b.disconnects.server)),
    h('td', null, count(b.disconnects.network)), h('td', null, count(b.connects))));
  return h('details', { class: 'chart-data' }, h('summary', null, 'Show the data as a table'),
    h('div', { class: 'scroll' }, h('table', { id: 'chart-table' },
      h('thead', null, h('tr', null, ['bucket end', 'connected', 'by client', 'by server', 'lost', 'connects']
        .map(label => h('th', { scope: 'col' }, label)))),
      h('tbody', null, rows.reverse()))));
}

let chart = null;
// a newer request (another range, or a refresh) wins: an older answer arriving late is dropped
let chartRequest = 0;
let reasonsRequest = 0;
async function loadChart() {
  if (!chart) return;
  const request = ++chartRequest;
  const { since, step } = RANGES[range];
  const timeline = await get('/fleet/timeline', { since, step, ...scopeParams() });
  if (request !== chartRequest || !chart) return;
  chart.draw(timeline);
  const known = timeline.buckets.filter(b => b.connected != null);
  const card = $('chart').closest('.card');
  card.querySelector('.chart-data')?.remove();
  card.append(dataTable(timeline));
  $('chart').setAttribute('aria-label', `Connected clients, ${RANGES[range].label}: ` + (known.length
    ? `${count(known[known.length - 1].connected)} at the end` : 'no record'));
  Object.assign($('chart').dataset, { since: timeline.since, until: timeline.until, step: timeline.step });
  $('chart-note').textContent = known.length === timeline.buckets.length ? ''
    : 'Where the line has gaps connmon has no record of the count (it was not running then).';
}

async function loadReasons() {
  if (!chart) return;
  const request = ++reasonsRequest;
  const { since, label } = RANGES[range];
  const answer = await get('/fleet/disconnect-reasons', { since, ...scopeParams() });
  if (request !== reasonsRequest || !chart) return;
  $('reasons-window').textContent = `(${label})`;
  const most = Math.max(1, ...answer.reasons.map(r => r.clients));
  $('reasons').replaceChildren(...answer.reasons.map(reason => {
    const filter = new URLSearchParams({ disconnectedAfter: since, ...scopeParams() });
    if (reason.initiator) filter.set('disconnectInitiator', reason.initiator);
    if (reason.reasonCode != null) filter.set('disconnectReasonCode', reason.reasonCode);
    filter.set('_sort', '-lastDisconnectTime');
    const meter = h('span', { class: `meter ${reason.initiator || 'unknown'}` });
    meter.style.width = `${(100 * reason.clients / most).toFixed(1)}%`;
    return h('li', null, h('a', { href: `#/clients?${filter}` },
      h('span', { class: 'reason-text' }, reason.message),
      h('span', { class: 'reason-count' }, h('b', null, count(reason.clients)),
        reason.clients === 1 ? ' client' : ' clients',
        reason.disconnectedNow ? h('small', null, ` · ${count(reason.disconnectedNow)} still offline`) : null),
      h('span', { class: 'track', 'aria-hidden': 'true' }, meter)));
  }));
  $('reasons-empty').hidden = answer.reasons.length > 0;
}

async function loadAlerts() {
  if (!chart) return;
  const page = await get('/alerts', { state: 'open', _limit: 20 });
  $('alert-list').replaceChildren(...page.results.map(alert => alertItem(alert, true)));
  $('alerts-empty').hidden = page.results.length > 0;
}

function setRange(next) {
  range = next;
  for (const button of document.querySelectorAll('[data-range]')) {
    button.setAttribute('aria-pressed', String(button.dataset.range === range));
  }
  loadChart();
  loadReasons();
}

const onRangeClick = event => {
  const button = event.target.closest('[data-range]');
  if (button) setRange(button.dataset.range);
};
const onScope = event => { scope = event.target.value; loadChart(); loadReasons(); };

export function show() {
  chart = new FleetChart($('chart'));
  const counts = throttle(loadCounts, 1000);
  const chartSoon = throttle(loadChart, 10000);
  const reasonsSoon = throttle(loadReasons, 5000);
  const alertsSoon = throttle(loadAlerts, 500);
  document.querySelector('.segmented').addEventListener('click', onRangeClick);
  $('chart-scope').addEventListener('change', onScope);
  Promise.all([loadCounts(), loadTypes().catch(() => {}), loadChart(), loadReasons(), loadAlerts()])
    .finally(() => $('view-overview').dataset.loaded = 'true');
  const closeStates = stream('/clientconnectionstates', {}, {
    state: () => { counts(); chartSoon(); reasonsSoon(); },
    deleted: () => { counts(); },
  });
  const closeAlerts = stream('/alerts', {}, { alert: () => { alertsSoon(); counts(); } });
  // flapping and silence end by time alone, and the chart's newest bucket moves on: a slow refresh besides the streams
  const timer = setInterval(() => { loadCounts(); loadChart(); loadReasons(); loadAlerts(); }, 30000);
  return () => {
    closeStates();
    closeAlerts();
    clearInterval(timer);
    document.querySelector('.segmented').removeEventListener('click', onRangeClick);
    $('chart-scope').removeEventListener('change', onScope);
    delete $('view-overview').dataset.loaded;
    chart.destroy();
    chart = null;
  };
}

