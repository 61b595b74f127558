/**
 * Errors, dead letters and holds: the error report grouped by cause (GET /api/errors); the dead
 * letters, each with its payload, attempts and the target's answer (GET /api/dead-letters/{id});
 * replaying one, with its payload as it is or edited (POST /api/dead-letters/{id}/replay), or many
 * (POST /api/dead-letters/replay); and the held fields with their release. Replaying and
 * releasing need the operator role: for others the buttons are not there and the payload is
 * read-only (the API refuses anyway).
 */
import { h, clear, field, table } from '../lib/dom.js';
import { errorText } from '../lib/api.js';
import { badge, failure, section, value, when } from '../lib/ops.js';

export default {
  id: 'errors',
  title: 'Errors',
  async mount(root, ctx) {
    const operator = ctx.can('operator');
    const controller = new AbortController();
    const report = h('div', { id: 'error-report-body' });
    const letters = h('div', { id: 'dead-letter-list' });
    const detail = h('div', { id: 'dead-letter-detail' });
    const holds = h('div', { id: 'hold-list' });
    const get = (path) => ctx.api(path, { signal: controller.signal });

    async function loadReport() {
      const answer = await get('/api/errors');
      clear(report);
      if (answer.status !== 200) return report.append(failure('read the error report', answer));
      const groups = answer.body.groups;
      if (!groups.length) return report.append(h('p', { class: 'ok' }, 'No dead letters or quarantined events.'));
      report.append(table(['Cause', 'Flow', 'System', 'Status', 'Count', 'First seen', 'Last seen', 'Last error', ''],
        groups.map((g) => [g.cause, g.flow, g.system || '', badge(g.status), String(g.count), when(g.firstSeen),
          when(g.lastSeen), h('span', { class: 'error value' }, g.lastError || ''),
          operator && g.status === 'failed' ? h('button', { type: 'button', class: 'replay-group',
            'aria-label': `Replay the ${g.count} dead letters of ${g.flow} caused by ${g.cause}`,
            onclick: () => replayMany({ flow: g.flow, cause: g.cause }) }, 'Replay these') : '']),
        { id: 'error-groups' }));
    }

    async function loadLetters() {
      const answer = await get('/api/dead-letters?limit=200');
      clear(letters);
      if (answer.status !== 200) return letters.append(failure('list the dead letters', answer));
      const rows = answer.body.deadLetters;
      if (!rows.length) return letters.append(h('p', { class: 'muted', id: 'no-dead-letters' }, 'No dead letters.'));
      letters.append(table(['Dead letter', 'Flow', 'Key', 'System', 'Cause', 'Attempts', 'Received', 'Error'], rows.map((e) => [
        h('button', { type: 'button', class: 'link', dataset: { event: e.eventId },
          'aria-label': 'Open dead letter ' + e.eventId, onclick: () => open(e.eventId) }, e.eventId.slice(0, 8)),
        e.flow, e.key || '', e.system || '', e.cause || '', String(e.attempts), when(e.receivedAt),
        h('span', { class: 'error value' }, e.error || '')]), { id: 'dead-letters' }));
    }

    async function open(id) {
      const answer = await get('/api/dead-letters/' + encodeURIComponent(id));
      clear(detail);
      if (answer.status !== 200) return detail.append(failure('read dead letter ' + id, answer));
      const e = answer.body;
      const original = JSON.stringify(e.payload, null, 2);
      const payload = h('textarea', { id: 'dead-letter-payload', rows: 12, cols: 80, spellcheck: 'false',
        readOnly: !operator, class: 'payload' }, original);
      const message = h('p', { class: 'status-line', id: 'dead-letter-message', role: 'status' });
      payload.addEventListener('input', () => {
        try {
          JSON.parse(payload.value);
          payload.removeAttribute('aria-invalid');
          message.textContent = payload.value === original ? '' : 'Edited: the replay sends this payload.';
          message.className = 'status-line';
        } catch (err) {
          payload.setAttribute('aria-invalid', 'true');
          message.textContent = 'Not JSON: ' + err.message;
          message.className = 'status-line error';
        }
      });
      const replay = operator ? h('button', { type: 'button', class: 'primary', id: 'dead-letter-replay', onclick: async () => {
        let body = {};
        if (payload.value !== original) {
          try {
            body = { payload: JSON.parse(payload.value) };
          } catch (err) {
            message.textContent = 'Not JSON: ' + err.message;
            message.className = 'status-line error';
            payload.focus();
            return;
          }
        }
        replay.disabled = true;
        const result = await ctx.api(`/api/dead-letters/${encodeURIComponent(id)}/replay`, { method: 'POST', body });
        replay.disabled = false;
        if (result.status !== 200) {
          message.textContent = 'Not replayed: ' + errorText(result);
          message.className = 'status-line error';
          return;
        }
        ctx.toast(`Dead letter ${id.slice(0, 8)} replayed${result.body.edited ? ' with the edited payload' : ''}.`, 'success');
        message.textContent = 'Replayed; it runs again now.';
        message.className = 'status-line ok';
        await Promise.all([loadReport(), loadLetters()]);
        await follow(id, message);
      } }, 'Replay') : null;
      detail.append(section('dead-letter', `Dead letter ${id}`,
        h('p', {}, `${e.flow} · ${e.entity || ''} ${e.key || ''} · `, badge(e.status), e.system ? ` · target ${e.system}` : '',
          e.cause ? ` · cause: ${e.cause}` : ''),
        h('h3', {}, 'The target\'s answer'),
        h('p', { class: 'error value', id: 'dead-letter-answer' }, e.error || '(none)'),
        h('h3', {}, `Attempts (${e.attemptCount})`),
        table(['Attempt', 'Started', 'Finished', 'Outcome', 'Error'], (e.attempts || []).map((a) => [String(a.attempt),
          when(a.startedAt), when(a.finishedAt), badge(a.outcome), value(a.error)]), { id: 'dead-letter-attempts' }),
        e.originalPayload !== undefined ? [h('h3', {}, 'Payload as received'),
          h('pre', { id: 'dead-letter-original' }, JSON.stringify(e.originalPayload, null, 2))] : null,
        h('h3', {}, 'Payload'),
        field(operator ? 'Payload (edit it to replay with a corrected payload)' : 'Payload (read-only)', payload),
        message,
        h('div', { class: 'toolbar' }, replay,
          operator ? h('button', { type: 'button', onclick: () => { payload.value = original; payload.dispatchEvent(new Event('input')); } },
            'Undo edits') : null,
          h('a', { href: '#/runs?event=' + encodeURIComponent(id) }, 'Open its trace in Runs'))));
      detail.querySelector('h2').focus();
    }

    /** After a replay: polls the event until it finishes and says how it ended. */
    async function follow(id, message) {
      for (let i = 0; i < 50 && !controller.signal.aborted; i++) {
        await new Promise((r) => setTimeout(r, 200));
        const answer = await get('/api/events/' + encodeURIComponent(id));
        if (answer.status !== 200) return;
        const s = answer.body.status;
        if (s !== 'pending' && s !== 'running') {
          message.textContent = `Replayed; the run ${s}.` + (answer.body.error ? ' ' + answer.body.error : '');
          message.className = 'status-line ' + (s === 'succeeded' ? 'ok' : 'error');
          message.dataset.outcome = s;
          await Promise.all([loadReport(), loadLetters()]);
          return;
        }
      }
    }

    async function replayMany(body) {
      const result = await ctx.api('/api/dead-letters/replay', { method: 'POST', body });
      if (result.status !== 200) return ctx.toast('Not replayed: ' + errorText(result), 'error');
      ctx.toast(`${result.body.replayed} dead letters replayed.`, 'success');
      await Promise.all([loadReport(), loadLetters()]);
    }

    async function loadHolds() {
      const answer = await get('/api/holds');
      clear(holds);
      if (answer.status !== 200) return holds.append(failure('list the holds', answer));
      const rows = answer.body.holds;
      if (!rows.length) return holds.append(h('p', { class: 'muted', id: 'no-holds' }, 'No field is held.'));
      holds.append(table(['Entity', 'Key', 'Field', 'Since', 'Reason', 'History', ''], rows.map((x) => [x.entity, x.key,
        h('code', {}, x.field), when(x.since), x.reason || '',
        value(Array.isArray(x.history) ? x.history.map((v) => JSON.stringify(v)).join(' → ') : x.history),
        operator ? h('button', { type: 'button', class: 'release', 'aria-label': `Release ${x.entity} ${x.key} ${x.field}`,
          onclick: () => release(x) }, 'Release') : '']), { id: 'holds' }));
    }

    async function release(x) {
      const path = ['/api/holds', x.entity, x.key, x.field].map((p, i) => (i ? encodeURIComponent(p) : p)).join('/') + '/release';
      const result = await ctx.api(path, { method: 'POST', body: {} });
      if (result.status !== 200) return ctx.toast('Not released: ' + errorText(result), 'error');
      ctx.toast(`Released ${x.entity} ${x.key} ${x.field}.`, 'success');
      await loadHolds();
    }

    const bulk = operator ? h('div', { class: 'toolbar' },
      h('button', { type: 'button', id: 'replay-all', onclick: () => {
        if (confirm('Replay every dead letter?')) replayMany({ all: true });
      } }, 'Replay all dead letters')) : null;
    root.append(
      section('error-report', 'Errors by cause', report),
      section('dead-letters-section', 'Dead letters', bulk, letters, detail),
      section('holds-section', 'Held fields', holds));
    await Promise.all([loadReport(), loadLetters(), loadHolds()]);
    const first = ctx.params.get('event');
    if (first) await open(first);
    return () => controller.abort();
  },
};
