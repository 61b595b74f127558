/**
 * Scenarios and preview: run the rule scenarios against the unsaved drafts (POST /api/tests/run
 * with drafts) and see pass/fail with the difference; preview the drafts against the last
 * events (POST /api/preview) and see which decisions would change; then save every draft.
 */
import { h, add, clear } from '../lib/dom.js';
import { errorText } from '../lib/api.js';
import * as drafts from '../lib/drafts.js';
import { saveText } from '../lib/gridFile.js';

export default {
  id: 'try',
  title: 'Scenarios and preview',
  minRole: 'author',
  async mount(root, ctx) {
    const draftList = h('ul', { id: 'drafts' });
    const scenarioOut = h('div', { id: 'scenario-results', 'aria-live': 'polite' });
    const previewOut = h('div', { id: 'preview-results', 'aria-live': 'polite' });
    const saveOut = h('p', { class: 'status-line', id: 'save-status', role: 'status' });
    const limit = h('input', { id: 'preview-limit', type: 'number', min: '1', max: '10000', value: '1000', style: { width: '7rem' } });
    const runButton = h('button', { type: 'button', id: 'run-scenarios', class: 'primary', onclick: runScenarios }, 'Run the scenarios');
    const previewButton = h('button', { type: 'button', id: 'preview', onclick: preview }, 'Preview against recent events');
    const saveButton = h('button', { type: 'button', id: 'save-all', class: 'primary', onclick: saveAll }, 'Save all drafts');

    add(root,
      h('h2', {}, 'Unsaved drafts'), draftList,
      h('h2', {}, 'Scenarios'),
      h('p', { class: 'muted' }, 'The scenarios of rules/tests/ run against the workspace with your drafts laid over it; nothing is saved.'),
      h('div', { class: 'toolbar' }, runButton), scenarioOut,
      h('h2', {}, 'Preview'),
      h('p', { class: 'muted' }, 'Replays the last events with the drafts and shows the decisions that would change.'),
      h('div', { class: 'toolbar' }, h('label', { for: 'preview-limit' }, 'Events'), limit, previewButton), previewOut,
      h('h2', {}, 'Save'),
      h('div', { class: 'toolbar' }, saveButton), saveOut);

    function showDrafts() {
      const all = Object.values(drafts.all());
      clear(draftList).append(...(all.length ? all.map((d) => h('li', {},
        h('code', {}, d.path), ' ',
        h('button', { type: 'button', 'aria-label': 'Discard the draft of ' + d.path, onclick: () => { drafts.clear(d.path); showDrafts(); } }, 'Discard')))
        : [h('li', { class: 'muted' }, 'No unsaved drafts: the scenarios and the preview use the saved files.')]));
      previewButton.disabled = all.length === 0;
      saveButton.disabled = all.length === 0;
    }

    async function runScenarios() {
      runButton.disabled = true;
      clear(scenarioOut).append(h('p', { class: 'muted' }, 'Running…'));
      const texts = drafts.texts();
      const answer = await ctx.api('/api/tests/run', { method: 'POST', body: Object.keys(texts).length ? { drafts: texts } : {} });
      runButton.disabled = false;
      clear(scenarioOut);
      if (answer.status !== 200) {
        scenarioOut.append(h('p', { class: 'error', role: 'alert' }, 'The scenarios did not run: ' + errorText(answer)));
        return;
      }
      const r = answer.body;
      scenarioOut.append(h('p', { id: 'scenario-summary', class: r.passed ? 'ok' : 'error' },
        `${r.scenarios} scenarios, ${r.failed} failed${r.problems ? ', ' + r.problems + ' problems' : ''}: ${r.passed ? 'all pass' : 'not all pass'}.`));
      const list = h('ul', { class: 'scenarios' });
      let current = null;
      for (const line of r.lines) {
        const m = /^(.*?): (PASS|FAIL) (.*)$/.exec(line);
        if (m) {
          current = h('li', { class: m[2] === 'PASS' ? 'pass' : 'fail' },
            h('span', { class: 'badge ' + (m[2] === 'PASS' ? 'pass' : 'fail') }, m[2]), ' ', m[3], ' ', h('span', { class: 'muted' }, m[1]));
          list.append(current);
        } else if (line.startsWith('    ') && current) {
          current.append(h('div', { class: 'difference' }, line.trim()));
        } else {
          list.append(h('li', { class: 'error' }, line));
        }
      }
      scenarioOut.append(list);
    }

    async function preview() {
      previewButton.disabled = true;
      clear(previewOut).append(h('p', { class: 'muted' }, 'Replaying…'));
      const answer = await ctx.api('/api/preview', { method: 'POST', body: { files: drafts.texts(), limit: Number(limit.value) || 1000 } });
      previewButton.disabled = false;
      clear(previewOut);
      if (answer.status === 404 && !(answer.body && answer.body.differences)) {
        previewOut.append(h('p', { class: 'notice unavailable', id: 'preview-unavailable' },
          'Preview is not available on this host (POST /api/preview answered 404).'));
        return;
      }
      if (answer.status !== 200) {
        previewOut.append(h('p', { class: 'error', role: 'alert' }, 'No preview: ' + errorText(answer)));
        return;
      }
      const p = answer.body;
      previewOut.append(h('p', { id: 'preview-summary' },
        `${p.events} events replayed in ${p.elapsedMs} ms: ${p.changed} would be decided differently.`));
      const diffs = p.differences || [];
      if (!diffs.length) {
        previewOut.append(h('p', { class: 'ok' }, 'No decision would change.'));
        return;
      }
      previewOut.append(h('table', { class: 'diff', id: 'preview-differences' },
        h('thead', {}, h('tr', {}, ['Flow', 'Entity', 'Field', 'Now', 'With the drafts', 'Events', 'Samples'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, diffs.map((d) => h('tr', {},
          h('td', {}, d.flow), h('td', {}, d.entity), h('td', {}, d.field),
          h('td', { class: 'before' }, `${d.before}`, d.beforeBy ? h('div', { class: 'muted' }, d.beforeBy) : null),
          h('td', { class: 'after' }, `${d.after}`, d.afterBy ? h('div', { class: 'muted' }, d.afterBy) : null),
          h('td', {}, String(d.count)),
          h('td', {}, (d.samples || []).slice(0, 3).map((id) => h('a', { class: 'sample', href: '#/runs?event=' + encodeURIComponent(id) }, id, ' '))))))));
    }

    async function saveAll() {
      saveButton.disabled = true;
      const all = Object.values(drafts.all());
      const done = [];
      for (const d of all) {
        saveOut.textContent = 'Saving ' + d.path + '…';
        const saved = await saveText(ctx, d.path, d.text);
        if (!saved.ok) {
          const first = saved.diagnostics.find((x) => x.severity === 'error');
          saveOut.textContent = `Not saved: ${d.path}: ${first ? first.file + ':' + first.line + ': ' + first.message : saved.error}`;
          ctx.toast('Not saved: ' + d.path, 'error');
          showDrafts();
          return;
        }
        drafts.clear(d.path);
        done.push(`${d.path} (rules version ${saved.rulesVersion || '-'})`);
      }
      saveOut.textContent = 'Saved and live: ' + done.join(', ') + '.';
      ctx.toast('Saved and live.', 'success');
      showDrafts();
    }

    showDrafts();
  },
};
