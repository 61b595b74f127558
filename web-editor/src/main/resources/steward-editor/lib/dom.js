/**
 * Tiny element helpers: h() builds an element from a tag, attributes and children; field()
 * pairs a control with its label. Text always goes in as text, never as HTML.
 */
let counter = 0;

/** A unique id for label/control pairs. */
export function uid(prefix = 'f') {
  counter += 1;
  return `${prefix}-${counter}`;
}

/**
 * h('button', {class: 'primary', onclick: fn, 'aria-label': 'Save'}, 'Save').
 * Attributes: class, text, on<event> (listener), dataset (object), style (object), boolean
 * properties (disabled, hidden, checked, readOnly, required), value, anything else as an attribute.
 * Children: strings, nodes, arrays, null/false (skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'style' && typeof value === 'object') Object.assign(el.style, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (['value', 'checked', 'disabled', 'hidden', 'readOnly', 'required', 'selected', 'multiple'].includes(key)) el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Appends children to an element, skipping null, undefined and false; answers the element. */
export function add(el, ...children) {
  append(el, children);
  return el;
}

/** Removes every child of an element. */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** A label and its control, linked by id: field('Master', h('select', ...)). */
export function field(label, control, hint) {
  if (!control.id) control.id = uid('c');
  const hintEl = hint ? h('span', { class: 'hint', id: control.id + '-hint' }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

/** A table from column headings and rows of cells (strings or nodes). */
export function table(headings, rows, attrs = {}) {
  return h('table', attrs,
    h('thead', {}, h('tr', {}, headings.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c) => h('td', {}, c))))));
}

/**
 * Calls fn once `ms` after the last call (for checks as you type); .flush() runs a pending call
 * now, .cancel() drops it.
 */
export function debounce(fn, ms) {
  let timer = null;
  let pending = null;
  const run = () => {
    timer = null;
    const args = pending;
    pending = null;
    if (args) fn(...args);
  };
  const debounced = (...args) => {
    pending = args;
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  debounced.flush = () => { clearTimeout(timer); run(); };
  debounced.cancel = () => { clearTimeout(timer); timer = null; pending = null; };
  return debounced;
}
