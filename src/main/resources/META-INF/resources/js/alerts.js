// One alert (docs/api.md §11) as a list item: condition, rule, subject, since when; open or resolved.
import { h, time, ago } from './dom.js';

const CONDITIONS = {
  offline: { shape: '✕', text: 'offline' },
  silent: { shape: '◌', text: 'silent' },
  flapping: { shape: '↯', text: 'flapping' },
  'fleet-drop': { shape: '▼', text: 'fleet drop' },
};

export function alertItem(alert, withClient) {
  const condition = CONDITIONS[alert.condition] || { shape: '▲', text: alert.condition };
  const subject = alert.clientId
    ? (withClient ? h('a', { href: `#/clients/${encodeURIComponent(alert.clientId)}` }, alert.clientId) : null)
    : h('span', null, `${alert.clientState?.dropped ?? '?'} of ${alert.clientState?.watched ?? '?'} watched clients dropped`);
  return h('li', { class: `alert ${alert.state}`, 'data-alert-id': alert.id },
    h('span', { class: `alert-shape ${alert.condition}`, 'aria-hidden': 'true' }, condition.shape),
    h('span', { class: 'alert-body' },
      h('span', { class: 'alert-title' }, h('b', null, condition.text), ' · rule ', h('code', null, alert.rule)),
      subject ? h('span', { class: 'alert-subject' }, subject) : null,
      h('span', { class: 'alert-when' },
        alert.state === 'open'
          ? ['since ', time(alert.since, true), ` (${ago(alert.since)})`]
          : ['resolved ', time(alert.resolvedAt, true), ', began ', time(alert.since, true)])));
}
