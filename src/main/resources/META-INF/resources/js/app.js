// connmon dashboard: sign-in, the hash router (#/, #/clients?filter, #/clients/{id}) and the live indicator.
// Each view's show() opens what it needs (pages, live streams) and returns a function that closes it again.
import { signIn, signOut, signedIn, whenSignedOut, whenLiveChanges } from './api.js';
import { $ } from './dom.js';
import * as overview from './overview.js';
import * as clients from './clients.js';
import * as client from './client.js';

let leave = null;

function route() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = hash.split('?');
  if (path.startsWith('/clients/') && path.length > '/clients/'.length) {
    return { view: 'client', show: () => client.show(decodeURIComponent(path.slice('/clients/'.length))) };
  }
  if (path === '/clients') return { view: 'clients', show: () => clients.show(new URLSearchParams(query)) };
  return { view: 'overview', show: () => overview.show() };
}

function render() {
  if (!signedIn()) return;
  const next = route();
  if (leave) leave();
  for (const section of document.querySelectorAll('.view')) section.hidden = section.id !== `view-${next.view}`;
  for (const link of document.querySelectorAll('#nav a')) {
    const current = link.dataset.view === next.view || (next.view === 'client' && link.dataset.view === 'clients');
    if (current) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  leave = next.show();
}

window.addEventListener('hashchange', () => {
  render();
  $('main').focus({ preventScroll: true });
});
// in-page links (skip link, "open alerts") move the focus; the hash stays the view's
document.addEventListener('click', event => {
  const link = event.target.closest('a[data-focus]');
  if (!link) return;
  event.preventDefault();
  const target = $(link.dataset.focus);
  target.focus();
  target.scrollIntoView({ block: 'start' });
});

whenLiveChanges(on => {
  const live = $('live');
  live.className = on ? 'live on' : 'live off';
  live.replaceChildren(Object.assign(document.createElement('span'), { textContent: on ? '●' : '○', ariaHidden: 'true' }),
    on ? ' live' : ' offline');
});

whenSignedOut(message => {
  if (leave) leave();
  leave = null;
  $('main').hidden = true;
  $('nav').hidden = true;
  $('sign-out').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
});

$('sign-out').addEventListener('click', () => signOut());
$('login').addEventListener('submit', async event => {
  event.preventDefault();
  const secret = $('login-token');
  try {
    await signIn($('login-key').value.trim(), secret.value);
  } catch (error) {
    $('login-error').textContent = error.message;
    return;
  }
  secret.value = '';
  $('login-error').textContent = '';
  $('login').hidden = true;
  $('main').hidden = false;
  $('nav').hidden = false;
  $('sign-out').hidden = false;
  render();
});
$('login-key').focus();
