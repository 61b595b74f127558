/**
 * Runs: recent events filtered by flow, status and record key (GET /api/events), and one run's
 * trace (GET /api/events/{id}): each field's decision with the row or rule behind it (by), the
 * steps, and the writes. The filters and the open run live in the hash (#/runs?flow=…&event=…).
 */
import { h, clear, field, table } from '../lib/dom.js';
import { badge, failure, section, value, when } from '../lib/ops.js';

const STATUSES = ['pending', 'running', 'succeeded', 'invalid', 'failed'];

export default {
  id: 'runs',
  title: 'Runs',
  async mount(root, ctx) {
    const flows = await ctx.api('/api/flows');
    const flowIds = flows.status === 200 ? flows.body.flows.filter((f) => f.id).map((f) => f.id) : [];
    const flow = h('select', { id: 'runs-flow', name: 'flow' }, h('option', { value: '' }, 'All flows'),
      flowIds.map((id) => h('option', { value: id }, id)));
    const status = h('select', { id: 'runs-status', name: 'status' }, h('option', { value: '' }, 'Any status'),
      STATUSES.map((s) => h('option', { value: s }, s)));
    const key = h('input', { id: 'runs-key', name: 'key', type: 'search', autocomplete: 'off', size: 16 });
    flow.value = ctx.params.get('flow') || '';
    status.value = ctx.params.get('status') || '';
    key.value = ctx.params.get('key') || '';
    const list = h('div', { id: 'runs-list', 'aria-live': 'polite' });
    const trace = h('div', { id: 'run-trace' });
    const form = h('form', { class: 'toolbar', role: 'search', 'aria-label': 'Filter runs' },
      field('Flow', flow), field('Status', status), field('Record key', key),
      h('button', { type: 'submit', class: 'primary', id: 'runs-filter' }, 'Filter'));
    const controller = new AbortController();
    let open = ctx.params.get('event') || '';

    function remember() {
      const q = new URLSearchParams();
      if (flow.value) q.set('flow', flow.value);
      if (status.value) q.set('status', status.value);
      if (key.value.trim()) q.set('key', key.value.trim());
      if (open) q.set('event', open);
      const s = q.toString();
      history.replaceState(null, '', '#/runs' + (s ? '?' + s : ''));
    }

    async function load() {
      const q = new URLSearchParams({ limit: '100' });
      if (flow.value) q.set('flow', flow.value);
      if (status.value) q.set('status', status.value);
      if (key.value.trim()) q.set('key', key.value.trim());
      list.setAttribute('aria-busy', 'true');
      const answer = await ctx.api('/api/events?' + q, { signal: controller.signal });
      clear(list);
      list.setAttribute('aria-busy', 'false');
      if (answer.status !== 200) {
        list.append(failure('list the runs', answer));
        return;
      }
      const events = answer.body.events;
      if (!events.length) {
        list.append(h('p', { class: 'muted', id: 'runs-empty' }, 'No runs match.'));
        return;
      }
      list.append(table(['Run', 'Flow', 'Key', 'Status', 'Attempts', 'Received', 'Error'], events.map((e) => [
        h('button', { type: 'button', class: 'link', dataset: { event: e.eventId }, 'aria-label': 'Open the trace of run ' + e.eventId,
          onclick: () => show(e.eventId) }, e.eventId.slice(0, 8)),
        e.flow, e.key || '', badge(e.status), String(e.attempts), when(e.receivedAt),
        e.error ? h('span', { class: 'error value' }, e.error) : '']), { id: 'runs-table', class: 'runs' }));
    }

    async function show(id) {
      open = id;
      remember();
      const answer = await ctx.api('/api/events/' + encodeURIComponent(id), { signal: controller.signal });
      clear(trace);
      if (answer.status !== 200) {
        trace.append(failure('read run ' + id, answer));
        return;
      }
      trace.append(traceView(answer.body));
      trace.querySelector('h2').focus();
    }

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      remember();
      load();
    });
    root.append(form, list, trace);
    await load();
    if (open) await show(open);
    return () => controller.abort();
  },
};

/** One run: its summary, decisions field by field, unchanged fields, steps and writes. */
export function traceView(e) {
  const t = e.trace || {};
  const decisions = t.decisions || [];
  const writes = t.writes || [];
  const steps = t.steps || [];
  return section('trace', `Run ${e.eventId}`,
    h('p', { id: 'trace-summary' }, `${e.flow} · ${e.entity || ''} ${e.key || ''} · `, badge(e.status),
      ` · attempt ${e.attempts} · received `, when(e.receivedAt),
      t.rulesVersion ? h('span', { class: 'muted' }, ` · rules ${t.rulesVersion.slice(0, 12)}`) : null),
    e.error ? h('p', { class: 'error', id: 'trace-error' }, e.error) : null,
    h('h3', {}, 'Decisions'),
    decisions.length
      ? table(['Field', 'Old value', 'New value', 'Decision', 'Reason', 'By'], decisions.map((d) => [
        h('code', {}, d.field), value(d.oldValue), value(d.newValue), badge(d.decision), d.reason || '',
        h('span', { class: 'by' }, d.by || '')]), { id: 'trace-decisions' })
      : h('p', { class: 'muted', id: 'trace-decisions' }, 'No field changed.'),
    (t.unchanged || []).length ? h('p', { class: 'muted' }, 'Unchanged: ' + t.unchanged.join(', ')) : null,
    h('h3', {}, 'Writes'),
    writes.length
      ? table(['System', 'Fields', 'Result', 'Error'], writes.map((w) => [w.system, value(w.fields), badge(w.result),
        w.error ? h('span', { class: 'error value' }, w.error) : '']), { id: 'trace-writes' })
      : h('p', { class: 'muted', id: 'trace-writes' }, 'No writes.'),
    steps.length ? [h('h3', {}, 'Steps'), table(['Step', 'At', 'Result', 'Detail'],
      steps.map((s) => [s.step, s.at || '', badge(s.result), value(s.detail)]), { id: 'trace-steps' })] : null,
    e.payload !== undefined ? [h('h3', {}, 'Payload'), h('pre', { id: 'trace-payload' }, JSON.stringify(e.payload, null, 2))] : null);
}
