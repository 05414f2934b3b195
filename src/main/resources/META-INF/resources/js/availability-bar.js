// A client's window as one bar of connected / disconnected / unknown / asleep / maintenance stretches, from the segments of
// /availability?segments=true (docs/api.md §10.1): each stretch as wide as its share of the window, told apart by
// colour and by pattern; hover or the arrow keys show its times and the event that began it.
import { h, localTime, utc, duration } from './dom.js';

const WORDS = {
  connected: '● Connected', disconnected: '✕ Disconnected', unknown: '? No record',
  asleep: '◐ Asleep (expected check-in)', maintenance: '⚒ Maintenance',
};

function describe(segment) {
  const cause = segment.cause || (segment.status === 'unknown' ? 'connmon has no record of this client then' : '');
  return `${WORDS[segment.status]} · ${localTime(segment.start, true)} → ${localTime(segment.end, true)} `
    + `(${duration(segment.seconds)})${cause ? ' · ' + cause : ''}`;
}

function tooltip(segment) {
  return `${describe(segment)}\n${utc(segment.start)} → ${utc(segment.end)}`;
}

export function renderBar(bar, ticks, detail, availability) {
  const segments = availability.segments;
  const since = Date.parse(availability.since);
  const span = Date.parse(availability.until) - since;
  let selected = -1;
  const parts = segments.map((segment, i) => {
    const part = h('span', {
      class: `seg ${segment.status}`, title: tooltip(segment),
      'data-index': i, 'data-status': segment.status, 'data-start': segment.start, 'data-end': segment.end,
    });
    part.style.flexGrow = String(segment.seconds);
    return part;
  });
  bar.replaceChildren(...parts);
  bar.setAttribute('aria-label', `${segments.length} stretches; connected ${duration(availability.connectedSeconds)}, `
    + `disconnected ${duration(availability.disconnectedSeconds)}, no record ${duration(availability.unknownSeconds)}`
    + (availability.asleepSeconds ? `, asleep ${duration(availability.asleepSeconds)}` : '')
    + (availability.maintenanceSeconds ? `, maintenance ${duration(availability.maintenanceSeconds)}` : ''));

  const select = i => {
    selected = Math.max(0, Math.min(segments.length - 1, i));
    parts.forEach((part, j) => part.classList.toggle('selected', j === selected));
    detail.textContent = describe(segments[selected]);
    detail.title = `${utc(segments[selected].start)} → ${utc(segments[selected].end)}`;
  };
  bar.onmousemove = event => { const part = event.target.closest('.seg'); if (part) select(Number(part.dataset.index)); };
  bar.onkeydown = event => {
    const moves = { ArrowRight: selected + 1, ArrowLeft: selected - 1, Home: 0, End: segments.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    select(selected < 0 && event.key === 'ArrowLeft' ? segments.length - 1 : moves[event.key]);
  };

  // a tick at each local midnight, labelled with the day that starts there
  const day = new Date(since);
  day.setHours(24, 0, 0, 0);
  const labels = [];
  for (; day.getTime() < since + span; day.setDate(day.getDate() + 1)) {
    const tick = h('span', { class: 'tick' },
      day.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric' }));
    tick.style.left = `${(100 * (day.getTime() - since) / span).toFixed(3)}%`;
    labels.push(tick);
  }
  ticks.replaceChildren(...labels);
}
