/**
 * Unsaved drafts of workspace files, kept while the author moves between screens (and across a
 * reload, in sessionStorage) so that the scenarios and the preview can run on all of them before
 * anything is saved. A draft: {path, text, base, state} where base is the file's text it was
 * made from and state is whatever the screen needs to restore itself (a grid's rows).
 */
const KEY = 'steward.drafts';

function load() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) || '{}');
  } catch {
    return {};
  }
}

function store(all) {
  sessionStorage.setItem(KEY, JSON.stringify(all));
  window.dispatchEvent(new CustomEvent('steward-drafts'));
}

export function get(path) {
  return load()[path] || null;
}

export function set(path, draft) {
  const all = load();
  all[path] = { ...draft, path };
  store(all);
}

export function clear(path) {
  const all = load();
  delete all[path];
  store(all);
}

/** Every draft, as {path: draft}. */
export function all() {
  return load();
}

/** {path: text} of every draft, as /api/validate, /api/preview and /api/tests/run take them. */
export function texts() {
  const out = {};
  for (const [path, draft] of Object.entries(load())) out[path] = draft.text;
  return out;
}
