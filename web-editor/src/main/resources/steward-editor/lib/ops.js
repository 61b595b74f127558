/**
 * Small helpers the operations screens share (overview, runs, errors, systems): times, status
 * badges, JSON as text, and the notices for a failed or missing endpoint.
 */
import { h } from './dom.js';
import { errorText } from './api.js';

/** An ISO instant as local date and time, to the second; '' for none. */
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return h('time', { datetime: iso, title: iso }, d.toLocaleString('en-GB', { hour12: false }));
}

const PASS = new Set(['succeeded', 'up', 'closed', 'accept', 'written', 'healed', 'ok']);
const FAIL = new Set(['failed', 'invalid', 'down', 'open', 'reject', 'held', 'not healed']);

/** A status, decision or result as a badge: green when it went through, red when it failed or was refused. */
export function badge(status) {
  const kind = PASS.has(status) ? ' pass' : FAIL.has(status) ? ' fail' : '';
  return h('span', { class: 'badge' + kind, dataset: { status: String(status) } }, String(status));
}

/** A value as the API gave it: strings as they are, the rest as compact JSON; '' for null. */
export function text(value) {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A failed answer as an alert paragraph. */
export function failure(what, answer) {
  return h('p', { class: 'error', role: 'alert' }, `Cannot ${what}: ${errorText(answer)}`);
}

/** The notice for an endpoint this host does not have (404): shown, not failed. */
export function unavailable(what) {
  return h('p', { class: 'notice unavailable' }, `${what}: not available on this host.`);
}

/** A section with a heading (h2) whose id labels it. */
export function section(id, title, ...children) {
  return h('section', { id, class: 'panel', 'aria-labelledby': id + '-title' }, h('h2', { id: id + '-title', tabindex: '-1' }, title), children);
}

/** A value in a table cell: as text(), allowed to break anywhere so that a long one cannot widen the page. */
export function value(v) {
  return h('span', { class: 'value' }, text(v));
}
