// connmon dashboard: a page of clients from the list API, kept current by the SSE stream of the same filters.
// Never loads the whole fleet: one page at a time, live updates only for the rows on screen (plus new arrivals).
// absolute and without user info: fetch() refuses URLs that carry credentials, which a relative URL inherits
const API = new URL('api/v0002', location.origin + location.pathname).href;
const PAGE = 50;
const rows = new Map();
let source = null;
let lastEventId = null;
let bookmark = null;
// A stream token (CONTRACT §12), narrowed to reader: fetch sends it as Bearer, EventSource as access_token. The key
// and its secret live only in the renewal closure, in memory, never in storage.
let token = null;
let renewTimer = null;
let countsInterval = null;
// a 401 to a request marked so carries no Basic challenge: a wrong key shows in the form, not in a browser dialog
const MARK = { 'X-Requested-With': 'connmon-dashboard' };

function basic(key, secret) {
  return 'Basic ' + btoa(String.fromCharCode(...new TextEncoder().encode(`${key}:${secret}`)));
}

async function signIn(key, secret) {
  const response = await fetch(`${API}/tokens?role=reader&ttl=PT1H`,
    { method: 'POST', headers: { ...MARK, Authorization: basic(key, secret) } });
  if (!response.ok) {
    throw new Error(response.status === 401 ? 'Wrong API key or token'
      : response.status === 403 ? 'This key may not read client states' : `Sign-in failed (${response.status})`);
  }
  const answer = await response.json();
  token = answer.token;
  clearTimeout(renewTimer);  // a minute before it expires, or at once for a short one
  renewTimer = setTimeout(() => signIn(key, secret).catch(error => signOut(error.message)),
    Math.max(1000, new Date(answer.expiresAt) - Date.now() - 60000));
}

function signOut(message) {
  token = null;
  clearTimeout(renewTimer);
  clearInterval(countsInterval);
  if (source) source.close();
  source = null;
  rows.clear();
  document.getElementById('clients').replaceChildren();
  document.getElementById('app').hidden = true;
  document.getElementById('sign-out').hidden = true;
  document.getElementById('login').hidden = false;
  document.getElementById('live').className = 'live off';
  document.getElementById('login-error').textContent = message || '';
}

async function get(url) {
  const response = await fetch(url, { headers: { ...MARK, Authorization: `Bearer ${token}` } });
  if (response.status === 401) signOut('Signed out: the session expired');
  return response;
}

function filters() {
  const params = new URLSearchParams();
  const prefix = document.getElementById('prefix').value.trim();
  const status = document.getElementById('status').value;
  if (prefix) params.set('clientIdPrefix', prefix);
  if (status) params.set('connectionStatus', status);
  return params;
}

function text(value) { return value == null ? '' : String(value); }
function time(value) { return value ? new Date(value).toLocaleString() : ''; }

function render(state, flash) {
  let tr = rows.get(state.id);
  if (!tr) {
    tr = document.createElement('tr');
    tr.addEventListener('click', () => showLog(state.id));
    rows.set(state.id, tr);
    document.getElementById('clients').prepend(tr);
  }
  const disconnect = state.lastDisconnectInitiator
    ? `${state.lastDisconnectInitiator}: ${text(state.lastDisconnectReason)}${state.lastDisconnectReasonCode != null ? ' (0x' + state.lastDisconnectReasonCode.toString(16).toUpperCase().padStart(2, '0') + ')' : ''}`
    : '';
  const since = state.connectionStatus === 'connected' ? state.lastConnectTime : state.lastDisconnectTime;
  tr.replaceChildren(...[state.id, state.connectionStatus, time(since),
    `${text(state.lastActivityEvent)} ${time(state.lastActivityTime)}`, disconnect].map((value, i) => {
    const td = document.createElement('td');
    td.textContent = value;
    if (i === 1) td.className = 'status-' + value;
    return td;
  }));
  if (flash) { tr.classList.remove('flash'); void tr.offsetWidth; tr.classList.add('flash'); }
}

async function loadPage(reset) {
  const params = filters();
  params.set('_limit', PAGE);
  params.set('_sort', '-lastActivityTime');
  if (!reset && bookmark) params.set('_bookmark', bookmark);
  const response = await get(`${API}/clientconnectionstates?${params}`);
  if (!response.ok) return;
  const page = await response.json();
  if (reset) { rows.clear(); document.getElementById('clients').replaceChildren(); }
  page.results.slice().reverse().forEach(state => render(state, false));
  if (!reset) {  // older pages go below what is on screen
    page.results.forEach(state => document.getElementById('clients').append(rows.get(state.id)));
  }
  bookmark = page.bookmark || null;
  document.getElementById('more').hidden = !bookmark;
}

async function loadCounts() {
  const response = await get(`${API}/summary`);
  if (!response.ok) return;
  const counts = await response.json();
  document.getElementById('count-connected').textContent = counts.connected.toLocaleString();
  document.getElementById('count-disconnected').textContent = counts.disconnected.toLocaleString();
}

function listen() {
  if (source) source.close();
  const params = filters();
  if (lastEventId) params.set('lastEventId', lastEventId);
  params.set('access_token', token);
  const opened = source = new EventSource(`${API}/clientconnectionstates?${params}`);
  source.addEventListener('open', () => document.getElementById('live').className = 'live on');
  source.addEventListener('error', () => {
    document.getElementById('live').className = 'live off';
    // EventSource gives up on an error status (its token expired while it was away): reopen with the current one
    if (opened.readyState === EventSource.CLOSED && source === opened && token) setTimeout(() => {
      if (source === opened && token) listen();
    }, 3000);
  });
  source.addEventListener('state', event => {
    lastEventId = event.lastEventId;
    render(JSON.parse(event.data), true);
    countsSoon();
  });
  source.addEventListener('deleted', event => {
    lastEventId = event.lastEventId;
    const id = JSON.parse(event.data).id;
    rows.get(id)?.remove();
    rows.delete(id);
  });
  // the server closed this stream because the page fell behind: resume from the last event seen
  source.addEventListener('resume', event => {
    lastEventId = JSON.parse(event.data).lastEventId;
    listen();
  });
}

let countsTimer = null;
function countsSoon() {  // at most one count query a second, however busy the stream
  if (!countsTimer) countsTimer = setTimeout(() => { countsTimer = null; loadCounts(); }, 1000);
}

async function showLog(clientId) {
  const response = await get(`${API}/logs/connection?clientId=${encodeURIComponent(clientId)}&_limit=50`);
  if (!response.ok) return;
  const entries = await response.json();
  document.getElementById('log').hidden = false;
  document.getElementById('log-title').textContent = clientId;
  document.getElementById('log-entries').replaceChildren(...entries.map(entry => {
    const li = document.createElement('li');
    const when = document.createElement('time');
    when.textContent = time(entry.timestamp);
    li.append(when, entry.message);
    return li;
  }));
}

document.getElementById('filters').addEventListener('submit', event => {
  event.preventDefault();
  lastEventId = null;
  bookmark = null;
  loadPage(true).then(listen);
});
document.getElementById('more').addEventListener('click', () => loadPage(false));
document.getElementById('sign-out').addEventListener('click', () => signOut());
document.getElementById('login').addEventListener('submit', async event => {
  event.preventDefault();
  const secret = document.getElementById('login-token');
  try {
    await signIn(document.getElementById('login-key').value.trim(), secret.value);
  } catch (error) {
    document.getElementById('login-error').textContent = error.message;
    return;
  }
  secret.value = '';
  document.getElementById('login-error').textContent = '';
  document.getElementById('login').hidden = true;
  document.getElementById('app').hidden = false;
  document.getElementById('sign-out').hidden = false;
  lastEventId = null;
  bookmark = null;
  loadPage(true).then(listen);
  loadCounts();
  countsInterval = setInterval(loadCounts, 10000);
});
