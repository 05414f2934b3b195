// Small DOM and formatting helpers: elements built with textContent only (nothing is parsed as HTML), times in the
// viewer's zone with the UTC value on hover.

/** h('a', {href: '#/', class: 'x'}, 'text', child): an element; null and false children are left out. */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value == null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child != null && child !== false) element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export const $ = id => document.getElementById(id);

const LOCAL = new Intl.DateTimeFormat(undefined,
  { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const LOCAL_THIS_YEAR = new Intl.DateTimeFormat(undefined,
  { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const LOCAL_SHORT = new Intl.DateTimeFormat(undefined,
  { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** "2026-11-26 06:00:00.123 UTC" */
export function utc(value) {
  return new Date(value).toISOString().replace('T', ' ').replace('Z', ' UTC');
}

export function localTime(value, short) {
  const date = new Date(value);
  if (short) return LOCAL_SHORT.format(date);
  return (date.getFullYear() === new Date().getFullYear() ? LOCAL_THIS_YEAR : LOCAL).format(date);
}

/** A <time> in the viewer's zone, the UTC value as its tooltip; an empty string for no time. */
export function time(value, short) {
  if (!value) return '';
  return h('time', { datetime: value, title: utc(value) }, localTime(value, short));
}

/** "3 h 20 min", "45 s", "2 d 4 h" */
export function duration(seconds) {
  if (seconds == null) return '';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const hours = Math.floor(m / 60);
  if (hours < 48) return m % 60 ? `${hours} h ${m % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** "3 min ago" from an ISO time */
export function ago(value) {
  if (!value) return '';
  const seconds = Math.max(0, (Date.now() - new Date(value)) / 1000);
  return seconds < 5 ? 'just now' : `${duration(seconds)} ago`;
}

export function percent(ratio) {
  if (ratio == null) return '–';
  const value = ratio * 100;
  return (value === 100 || value === 0 ? value.toFixed(0) : value >= 99.995 ? '99.99' : value.toFixed(2)) + ' %';
}

export function count(n) { return n == null ? '–' : Number(n).toLocaleString(); }

export function hex(code) { return code == null ? '' : '0x' + code.toString(16).toUpperCase().padStart(2, '0'); }

/** The status as a shape and a word, so that it never rests on colour alone. */
export function statusBadge(status) {
  const connected = status === 'connected';
  return h('span', { class: `badge ${status}` },
    h('span', { class: 'shape', 'aria-hidden': 'true' }, connected ? '●' : '✕'), connected ? 'connected' : status);
}

/** The last disconnect of a state as the connection log would say it. */
export function disconnectText(state) {
  if (!state.lastDisconnectTime) return '';
  const who = { client: 'Disconnected by the client', server: 'Disconnected by the server', network: 'Connection lost' }[
    state.lastDisconnectInitiator] || 'Disconnected';
  const why = state.lastDisconnectReason || '';
  const code = state.lastDisconnectReasonCode != null ? ` (${hex(state.lastDisconnectReasonCode)})` : '';
  return [who, why].filter(Boolean).join(': ') + code;
}

/** Planned absences (docs/api.md §10.6, §10.7): in a maintenance window, asleep between check-ins, or overdue. */
export function plannedChips(state) {
  return [
    state.inMaintenance ? h('span', { class: 'chip maintenance', title: 'A maintenance window names this client now' }, '⚒ in maintenance') : null,
    state.asleep ? h('span', { class: 'chip asleep', title: 'Disconnected within its expected check-in' }, '◐ asleep') : null,
    state.overdue ? h('span', { class: 'chip overdue', title: 'Missed its expected check-in' }, '⏰ overdue') : null,
  ];
}
