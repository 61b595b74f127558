/**
 * Decision tables: the rows of rules/*.table.yaml in the same grid as the mastership table.
 * Each cell is checked by the host as you type (POST /api/grid parses every cell and verifies the
 * table: overlaps, gaps, rows that never decide) and its message shown at the cell; columns
 * suggest the table's fields, the systems and the outcomes. Saving writes the file through
 * PUT /api/files, keeping its comments and order.
 */
import { h, add, clear, debounce, field } from '../lib/dom.js';
import { createGrid, splitList } from '../lib/grid.js';
import { loadGrid, checkGrid, keepDraft, dropDraft, saveText, describe } from '../lib/gridFile.js';

const FIRST = ['field', 'source', 'old', 'new'];
const LAST = ['outcome', 'message'];

function columnsOf(rows, extra) {
  const seen = new Set(['field', 'new', ...LAST]);
  rows.forEach((r) => Object.keys(r.cells).forEach((k) => seen.add(k)));
  extra.forEach((k) => seen.add(k));
  const middle = [...seen].filter((k) => !FIRST.includes(k) && !LAST.includes(k));
  return [...FIRST.filter((k) => seen.has(k)), ...middle, ...LAST];
}

const LABELS = { field: 'Field', source: 'Source', old: 'Old value', new: 'New value', outcome: 'Outcome', message: 'Message' };

export default {
  id: 'tables',
  title: 'Decision tables',
  async mount(root, ctx) {
    const editable = ctx.can('author');
    const [filesAnswer, systemsAnswer] = await Promise.all([ctx.api('/api/workspace'), ctx.api('/api/systems')]);
    const tables = filesAnswer.status === 200 ? filesAnswer.body.files.filter((f) => f.grid === 'table').map((f) => f.path) : [];
    if (!tables.length) {
      root.append(h('p', { class: 'notice' }, 'This workspace has no decision table (rules/*.table.yaml).'));
      return;
    }
    const systems = systemsAnswer.status === 200 ? systemsAnswer.body.systems : [];
    const path = tables.includes(ctx.params.get('file')) ? ctx.params.get('file') : tables[0];
    const chooser = h('select', { id: 'table-file', onchange: (e) => ctx.navigate('#/tables?file=' + encodeURIComponent(e.target.value)) },
      tables.map((t) => h('option', { value: t, selected: t === path }, t)));
    add(root, h('div', { class: 'toolbar' }, field('Table', chooser)));

    const loaded = await loadGrid(ctx, path);
    if (loaded.error) {
      root.append(h('p', { class: 'error', role: 'alert' }, `Cannot open ${path} as a table: ${loaded.error}`));
      return;
    }
    let base = loaded.base;
    let top = { ...loaded.top };
    let extra = [];
    let serverDiagnostics = [];
    let dirty = loaded.restored;
    let checking = 0;
    let edits = 0;
    root.dataset.check = 'done'; // 'pending' from an edit until the host's check of the latest rows is shown

    const entityFields = () => {
      const out = new Set(top.fields && top.fields.length ? top.fields : []);
      if (!out.size) {
        for (const s of systems) for (const e of s.entities) if (e.entity === top.entity) Object.keys(e.fields || {}).forEach((f) => out.add(f));
      }
      return [...out];
    };
    const suggestions = {
      field: entityFields,
      source: () => systems.map((s) => s.name),
      outcome: () => ['accept', 'reject', 'invalid'],
      new: () => ['-', 'is empty', 'not (is empty)', 'matches "[^@\\s]+@[^@\\s]+"', '[0..100]', '> 0'],
    };

    const topFields = h('div', { class: 'toolbar' },
      field('Entity', h('input', { id: 'top-entity', value: top.entity || '', readOnly: !editable, oninput: (e) => setTop('entity', e.target.value) })),
      field('Hit policy', h('select', { id: 'top-hit', disabled: !editable, onchange: (e) => setTop('hit', e.target.value) },
        ['unique', 'first', 'priority'].map((p) => h('option', { value: p, selected: p === top.hit }, p)))),
      field('Fields', h('input', { id: 'top-fields', value: (top.fields || []).join(', '), readOnly: !editable, size: '30',
        oninput: (e) => setTop('fields', splitList(e.target.value)) }), 'the fields whose changes the table decides'),
      field('Description', h('input', { id: 'top-description', value: top.description || '', readOnly: !editable, size: '50',
        oninput: (e) => setTop('description', e.target.value) })));
    add(root,
      h('p', { class: 'muted' }, 'A row that matches a change decides it. Cells: ', h('code', {}, '-'), ' any value, ',
        h('code', {}, '"text"'), ', ', h('code', {}, '> 1000'), ', ', h('code', {}, '[1..5]'), ', ', h('code', {}, 'is empty'), ', ',
        h('code', {}, 'matches "regex"'), ', ', h('code', {}, 'not (…)'), '.'),
      editable ? null : h('p', { class: 'notice', id: 'read-only' }, `Read-only: you are ${ctx.session.role}; authors change tables.`),
      loaded.restored ? h('p', { class: 'notice' }, 'Your unsaved draft is back.') : null,
      topFields);

    const gridHost = h('div', { class: 'grid-wrap' });
    root.append(gridHost);
    let grid;
    function buildGrid(rows) {
      clear(gridHost);
      grid = createGrid(gridHost, {
        id: 'table-grid', caption: 'Rows of ' + path, readOnly: !editable,
        columns: columnsOf(rows, extra).map((k) => ({ key: k, label: LABELS[k] || k, suggest: suggestions[k] })),
        rows, emptyRow: () => ({ field: '', new: '', outcome: 'invalid', message: '' }),
        onChange: changed,
      });
    }
    buildGrid(loaded.rows);

    const status = h('p', { class: 'status-line', role: 'status', 'aria-live': 'polite' });
    const problems = h('ul', { class: 'problems', 'aria-label': 'Problems' });
    const columnName = h('input', { id: 'new-column', size: '14', placeholder: 'source, old, tier' });
    const saveButton = editable ? h('button', { type: 'button', class: 'primary', id: 'save', onclick: save }, 'Save') : null;
    if (editable) {
      add(root, h('div', { class: 'toolbar' },
        h('button', { type: 'button', id: 'add-row', onclick: () => grid.addRow() }, 'Add row'),
        saveButton,
        h('button', { type: 'button', id: 'discard', onclick: discard }, 'Discard changes'),
        h('label', { for: 'new-column' }, 'Column'), columnName,
        h('button', { type: 'button', id: 'add-column', onclick: () => {
          const name = columnName.value.trim();
          if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) { ctx.toast('A column is a field name, like tier or record.region.', 'error'); return; }
          extra.push(name);
          columnName.value = '';
          buildGrid(grid.rows());
        } }, 'Add column')));
    }
    root.append(status, h('h2', {}, 'Problems'), problems);

    function setTop(key, value) {
      top = { ...top, [key]: value };
      changed();
    }

    function changed() {
      dirty = true;
      edits += 1;
      root.dataset.check = 'pending';
      local();
      serverCheck();
    }

    function local() {
      const list = serverDiagnostics;
      grid.setMessages(list);
      clear(problems).append(...(list.length ? list.map((d) => h('li', { class: d.severity === 'error' ? 'error' : 'warning' }, describe(d)))
        : [h('li', { class: 'ok' }, checking ? '…' : 'No problems.')]));
      status.textContent = checking ? 'Checking…' : dirty ? 'Unsaved changes.' : 'Saved.';
    }

    const serverCheck = debounce(async () => {
      if (!editable) return;
      checking += 1;
      const at = edits;
      local();
      const rows = grid.rows();
      const answer = await checkGrid(ctx, path, base, rows, top);
      checking -= 1;
      if (answer.error) {
        serverDiagnostics = [{ severity: 'error', message: answer.error }];
      } else {
        serverDiagnostics = answer.diagnostics.filter((d) => d.severity !== 'info' && (d.file === path || d.row !== undefined));
        if (dirty && at === edits) keepDraft(path, base, answer.text, rows, top);
      }
      local();
      if (at === edits) root.dataset.check = 'done';
    }, 500);

    async function save() {
      saveButton.disabled = true;
      const checked = await checkGrid(ctx, path, base, grid.rows(), top);
      if (checked.error || !checked.valid) {
        serverDiagnostics = checked.error ? [{ severity: 'error', message: checked.error }] : checked.diagnostics;
        local();
        status.textContent = 'Not saved: fix the problems first.';
        saveButton.disabled = false;
        return;
      }
      const saved = await saveText(ctx, path, checked.text);
      saveButton.disabled = false;
      if (!saved.ok) {
        serverDiagnostics = saved.diagnostics.length ? saved.diagnostics : [{ severity: 'error', message: saved.error }];
        local();
        status.textContent = 'Not saved: ' + saved.error;
        return;
      }
      dropDraft(path);
      await reload();
      status.textContent = `Saved; live as rules version ${saved.rulesVersion || '-'}.`;
      ctx.toast('Table saved and live.', 'success');
    }

    async function reload() {
      const fresh = await loadGrid(ctx, path);
      base = fresh.base;
      top = { ...fresh.top };
      buildGrid(fresh.rows);
      dirty = false;
      serverDiagnostics = [];
      local();
    }

    function discard() {
      dropDraft(path);
      ctx.navigate('#/tables?file=' + encodeURIComponent(path)); // mounts the screen again, from the saved file
    }

    local();
    if (loaded.restored) serverCheck();
    return () => serverCheck.flush();
  },
};
