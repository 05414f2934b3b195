// The dashboard's way to the API (docs/api.md): a stream token from the sign-in form's API key (§12), sent as Bearer
// by fetch and as access_token by EventSource. The key and its secret live only in the renewal closure, in memory.

// absolute and without user info: fetch() refuses URLs that carry credentials, which a relative URL inherits
export const API = new URL('api/v0002', location.origin + location.pathname).href;
// a 401 to a request marked so carries no Basic challenge: a wrong key shows in the form, not in a browser dialog
const MARK = { 'X-Requested-With': 'connmon-dashboard' };

let token = null;
let renewTimer = null;
let onSignOut = () => {};

function basic(key, secret) {
  return 'Basic ' + btoa(String.fromCharCode(...new TextEncoder().encode(`${key}:${secret}`)));
}

export function whenSignedOut(callback) { onSignOut = callback; }
export function signedIn() { return token !== null; }

export async function signIn(key, secret) {
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

export function signOut(message) {
  token = null;
  clearTimeout(renewTimer);
  onSignOut(message || '');
}

export class ApiError extends Error {
  constructor(status, detail) { super(detail || `HTTP ${status}`); this.status = status; }
}

function url(path, params) {
  const query = params instanceof URLSearchParams ? params : new URLSearchParams(params || {});
  const text = query.toString();
  return `${API}${path}${text ? '?' + text : ''}`;
}

async function request(path, params, accept) {
  const response = await fetch(url(path, params),
    { headers: { ...MARK, Accept: accept, Authorization: `Bearer ${token}` } });
  if (response.status === 401) signOut('Signed out: the session expired');
  if (!response.ok) {
    let detail = null;
    try { detail = (await response.json()).detail; } catch (ignored) { /* no problem body */ }
    throw new ApiError(response.status, detail);
  }
  return response;
}

/** GET path?params as JSON; a non-2xx answer is an ApiError with the problem's detail. */
export async function get(path, params) {
  return (await request(path, params, 'application/json')).json();
}

/** GET path?params as CSV (docs/api.md §10.4) and hand it to the browser as a file download. */
export async function download(path, params, filename) {
  const blob = await (await request(path, params, 'text/csv')).blob();
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

const liveStreams = new Set();
let liveListener = () => {};
/** Called with true while every open stream is connected, false when one is not. */
export function whenLiveChanges(callback) { liveListener = callback; }
function reportLive() {
  liveListener(liveStreams.size > 0 && [...liveStreams].every(s => s.open));
}

/**
 * An SSE stream of path?params (docs/api.md §3, §11) that survives token renewals and resumes where it left off:
 * handlers maps event names to callbacks of the parsed data. Returns a function that closes it.
 */
export function stream(path, params, handlers) {
  const entry = { open: false, source: null, lastEventId: null, closed: false };
  liveStreams.add(entry);
  const connect = () => {
    if (entry.closed || !token) return;
    const query = new URLSearchParams(params || {});
    if (entry.lastEventId) query.set('lastEventId', entry.lastEventId);
    query.set('access_token', token);
    const source = entry.source = new EventSource(url(path, query));
    source.addEventListener('open', () => { entry.open = true; reportLive(); });
    source.addEventListener('error', () => {
      entry.open = false;
      reportLive();
      // EventSource gives up on an error status (its token expired while it was away): reopen with the current one
      if (source.readyState === EventSource.CLOSED && entry.source === source) setTimeout(connect, 3000);
    });
    // the server ended this stream because the page fell behind: resume from the last event seen
    source.addEventListener('resume', event => {
      entry.lastEventId = JSON.parse(event.data).lastEventId;
      source.close();
      connect();
    });
    for (const [name, handler] of Object.entries(handlers)) {
      source.addEventListener(name, event => {
        entry.lastEventId = event.lastEventId;
        handler(JSON.parse(event.data));
      });
    }
  };
  connect();
  return () => {
    entry.closed = true;
    entry.source?.close();
    liveStreams.delete(entry);
    reportLive();
  };
}

/** Calls fn at most once per `ms`, trailing: a burst of calls becomes one call at the end of the wait. */
export function throttle(fn, ms) {
  let timer = null;
  return () => { if (!timer) timer = setTimeout(() => { timer = null; fn(); }, ms); };
}
