/**
 * Overview: the host's health and backlog, errors by cause, the conflicts Steward prevented this
 * week (GET /api/stats?period=week, where the host has it), and the flows with their webhooks.
 */
import { h, table } from '../lib/dom.js';
import { badge, failure, section, unavailable, when } from '../lib/ops.js';

export default {
  id: 'overview',
  title: 'Overview',
  async mount(root, ctx) {
    const [health, errors, stats, flows] = await Promise.all([
      ctx.api('/health'), ctx.api('/api/errors'), ctx.api('/api/stats?period=week'), ctx.api('/api/flows')]);
    root.append(
      section('health', 'Health', healthView(health)),
      section('errors-by-cause', 'Errors by cause', errorsView(errors, ctx)),
      section('conflicts-week', 'Conflicts prevented this week', statsView(stats)),
      section('overview-flows', 'Flows and their webhooks', flowsView(flows)));
  },
};

function healthView(answer) {
  const b = answer.body || {};
  if (answer.status !== 200 && answer.status !== 503) return failure('read the health', answer);
  const figures = [
    ['Backlog (pending and running)', b.backlog, 'backlog'],
    ['Oldest due for', b.oldestDueSeconds == null ? null : b.oldestDueSeconds + ' s', 'oldest-due'],
    ['Dead letters', b.deadLetters, 'dead-letters'],
    ['Quarantined', b.quarantined, 'quarantined'],
    ['Held fields', b.heldFields, 'held-fields'],
    ['Flows', b.flows == null ? null : b.flows + (b.invalidFlows ? ` (${b.invalidFlows} invalid)` : ''), 'flows'],
  ];
  const breakers = (b.breakers || []).filter((x) => x.state !== 'closed' && x.state !== 'disabled');
  return [
    h('p', { id: 'health-status' }, 'Status: ', badge(b.status || 'unknown'),
      (b.reasons || []).length ? h('span', { class: 'warning' }, ' — ' + b.reasons.join('; ')) : null),
    h('dl', { class: 'figures' }, figures.filter(([, v]) => v !== undefined && v !== null)
      .map(([label, value, id]) => h('div', { id: 'figure-' + id }, h('dt', {}, label), h('dd', {}, String(value))))),
    breakers.length ? h('p', { class: 'warning' }, 'Breakers not closed: ',
      breakers.map((x) => `${x.system} ${x.state}`).join(', ')) : null,
  ];
}

function errorsView(answer, ctx) {
  if (answer.status !== 200) return failure('read the error report', answer);
  const groups = answer.body.groups || [];
  if (!groups.length) return h('p', { class: 'ok', id: 'no-errors' }, 'No dead letters or quarantined events.');
  return [
    table(['Cause', 'Flow', 'System', 'Status', 'Count', 'Last seen'], groups.map((g) => [
      g.cause, g.flow, g.system || '', badge(g.status), String(g.count), when(g.lastSeen)]), { id: 'error-groups' }),
    h('p', {}, h('a', { href: '#/errors' }, 'Open errors, dead letters and holds'),
      answer.body.truncated ? h('span', { class: 'muted' }, ` (the newest ${answer.body.events} only)`) : null),
  ];
}

function statsView(answer) {
  if (answer.status === 404) return unavailable('Conflict statistics');
  if (answer.status !== 200) return failure('read the statistics', answer);
  const t = answer.body.totals || {};
  const labels = [['rejected', 'Rejected'], ['quarantined', 'Quarantined'], ['heals', 'Healed'],
    ['echoes', 'Echoes stopped'], ['holds', 'Held']];
  const byField = answer.body.byField || [];
  const numeric = (row) => Object.entries(row).filter(([k, v]) => k !== 'entity' && k !== 'field' && typeof v === 'number');
  return [
    h('dl', { class: 'figures', id: 'conflict-totals' }, labels.map(([key, label]) =>
      h('div', {}, h('dt', {}, label), h('dd', {}, String(t[key] ?? 0))))),
    byField.length ? table(['Entity', 'Field', 'Counts'], byField.slice(0, 20).map((r) => [r.entity, r.field,
      numeric(r).map(([k, v]) => `${k} ${v}`).join(', ')]), { id: 'conflicts-by-field' }) : null,
  ];
}

function flowsView(answer) {
  if (answer.status !== 200) return failure('list the flows', answer);
  return table(['Flow', 'Webhook', 'Status', 'Description'], answer.body.flows.map((f) => f.status === 'active'
    ? [h('a', { href: '#/runs?flow=' + encodeURIComponent(f.id) }, f.id), h('code', {}, f.hook), badge('active'), f.description || '']
    : [f.file, '', badge('invalid'), h('span', { class: 'error' }, f.diagnostics.map((d) => d.line + ': ' + d.message).join('; '))]),
  { id: 'overview-flow-list' });
}
