/**
 * The editor's shell: checks the session (no session: to /login), shows who is signed in,
 * builds the navigation from screens.js and mounts one screen at a time from the hash
 * (#/<screen-id>, optionally #/<screen-id>?a=b). A screen module's default export is
 * {id, title, minRole?, mount(root, ctx)}; mount may return (or resolve to) an unmount function.
 * ctx = {api, session: {user, role}, can(role), navigate(hash), toast(message, kind), params}.
 */
import { createApi, errorText } from './lib/api.js';
import { h, clear } from './lib/dom.js';
import { screens } from './screens.js';

export const ROLES = ['viewer', 'operator', 'author', 'developer', 'admin'];

/** True when a role includes another (each role includes every one before it). */
export function includes(has, needed) {
  return ROLES.indexOf(has) >= ROLES.indexOf(needed || 'viewer');
}

const main = document.getElementById('main');
const toasts = document.getElementById('toasts');

function toast(message, kind = 'info') {
  const el = h('div', { class: 'toast ' + kind, role: kind === 'error' ? 'alert' : null }, message);
  toasts.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 10000 : 5000);
}

function signIn() {
  const next = location.pathname + location.hash;
  location.assign('/login?next=' + encodeURIComponent(next));
}

async function start() {
  const anonymous = createApi();
  const answer = await anonymous('/api/session');
  if (answer.status === 401) {
    signIn();
    return;
  }
  if (answer.status !== 200) {
    main.setAttribute('aria-busy', 'false');
    clear(main).append(h('p', { class: 'error', role: 'alert' }, 'Cannot reach the host: ' + errorText(answer)));
    return;
  }
  const session = { user: answer.body.name, role: answer.body.role };
  const api = createApi(answer.body.csrfToken);
  const can = (role) => includes(session.role, role);
  const navigate = (hash) => {
    const target = hash.startsWith('#') ? hash : '#/' + hash.replace(/^\/+/, '');
    if (location.hash === target) route();
    else location.hash = target;
  };
  const baseCtx = { api, session, can, navigate, toast };

  document.getElementById('who').textContent = `${session.user} (${session.role})`;
  const signOut = document.getElementById('sign-out');
  signOut.hidden = false;
  signOut.addEventListener('click', async () => {
    await api('/api/session', { method: 'DELETE' });
    location.assign('/login');
  });

  const visible = screens.filter((s) => can(s.minRole));
  const navList = document.querySelector('#nav ul');
  for (const s of visible) {
    navList.append(h('li', {}, h('a', { href: '#/' + s.id, dataset: { screen: s.id } }, s.title)));
  }

  let unmount = null;
  let generation = 0;

  async function route() {
    const hash = location.hash.replace(/^#\/?/, '');
    const [id, query] = hash.split('?');
    const entry = screens.find((s) => s.id === id) || (id === '' ? visible[0] : null);
    const mine = ++generation;
    if (typeof unmount === 'function') {
      try { unmount(); } catch (e) { console.error(e); }
    }
    unmount = null;
    clear(main);
    main.setAttribute('aria-busy', 'true');
    for (const a of navList.querySelectorAll('a')) {
      if (entry && a.dataset.screen === entry.id) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    if (!entry) {
      main.setAttribute('aria-busy', 'false');
      main.append(h('h1', {}, 'Not found'), h('p', {}, `There is no screen “${id}”.`));
      return;
    }
    let screen;
    try {
      screen = (await import(`./screens/${entry.id}.js`)).default;
    } catch (e) {
      if (mine !== generation) return;
      main.setAttribute('aria-busy', 'false');
      main.append(h('h1', {}, entry.title), h('p', { class: 'error', role: 'alert' }, 'This screen failed to load: ' + e.message));
      return;
    }
    if (mine !== generation) return;
    document.title = `${screen.title} · Steward`;
    const root = h('section', { class: 'screen', id: 'screen-' + screen.id, 'aria-labelledby': 'screen-title' });
    main.append(h('h1', { id: 'screen-title' }, screen.title), root);
    const needed = screen.minRole || entry.minRole;
    if (!can(needed)) {
      main.setAttribute('aria-busy', 'false');
      root.append(h('p', { class: 'notice' }, `This screen needs the role ${needed}; you are ${session.role}.`));
      return;
    }
    try {
      const result = await screen.mount(root, { ...baseCtx, params: new URLSearchParams(query || '') });
      if (mine === generation) unmount = result;
      else if (typeof result === 'function') result();
    } catch (e) {
      console.error(e);
      root.append(h('p', { class: 'error', role: 'alert' }, 'This screen stopped: ' + e.message));
    }
    if (mine === generation) {
      performance.mark('steward-mounted:' + entry.id);
      main.setAttribute('aria-busy', 'false');
      main.focus({ preventScroll: true });
    }
  }

  window.addEventListener('hashchange', route);
  if (!location.hash && visible.length) history.replaceState(null, '', '#/' + visible[0].id);
  route();
}

start();
