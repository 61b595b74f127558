/**
 * Mastership grid: who owns each field. Entities × fields with their master, subscribers and
 * reason; rows added, removed, moved or pasted from a spreadsheet; unknown entities, fields and
 * systems and a field with two masters flagged as you type (here, from /api/systems), and the
 * host's own check of the file (POST /api/grid) shown at the cell. Saving writes
 * rules/mastership.yaml through PUT /api/files, keeping the file's comments and the rows' order.
 */
import { h, add, clear, debounce } from '../lib/dom.js';
import { createGrid, parseTsv, toTsv } from '../lib/grid.js';
import { loadGrid, checkGrid, keepDraft, dropDraft, saveText, describe } from '../lib/gridFile.js';

const PATH = 'rules/mastership.yaml';
const COLUMNS = [
  { key: 'entity', label: 'Entity', width: '10%' },
  { key: 'fields', label: 'Fields', list: true, width: '20%' },
  { key: 'master', label: 'Master', width: '9%' },
  { key: 'subscribers', label: 'Subscribers', list: true, width: '12%' },
  { key: 'reason', label: 'Reason' },
];

/** The model the flags are checked against: systems, and the fields of each entity. */
function knownModel(systems) {
  const names = systems.map((s) => s.name).sort(); // in a stable order, whatever the host's
  const fields = new Map();
  for (const s of systems) {
    for (const e of s.entities) {
      if (!fields.has(e.entity)) fields.set(e.entity, new Set());
      for (const f of Object.keys(e.fields || {})) fields.get(e.entity).add(f);
    }
  }
  return { names, fields };
}

/** Flags as you type: [{row, cell, message, severity}]. */
export function flags(rows, model) {
  const out = [];
  const owners = new Map();
  rows.forEach((row, r) => {
    const c = row.cells;
    if (c.unmastered !== undefined) return; // an entity's policy row: checked by the host
    const entity = (c.entity || '').trim();
    if (!entity) out.push({ row: r, cell: 'entity', message: 'an entity is needed', severity: 'error' });
    else if (model.fields.size && !model.fields.has(entity)) {
      out.push({ row: r, cell: 'entity', message: `no system has an entity '${entity}' (${[...model.fields.keys()].join(', ')})`, severity: 'error' });
    }
    const fields = c.fields || [];
    if (!fields.length) out.push({ row: r, cell: 'fields', message: 'at least one field is needed', severity: 'error' });
    for (const f of fields) {
      if (model.fields.has(entity) && !model.fields.get(entity).has(f)) {
        out.push({ row: r, cell: 'fields', message: `'${f}' is not a field of ${entity} in any system`, severity: 'warning' });
      }
      const key = entity + '.' + f;
      if (owners.has(key)) {
        const first = owners.get(key);
        const message = `${f} of ${entity} has two masters: rows ${first + 1} and ${r + 1}`;
        out.push({ row: r, cell: 'fields', message, severity: 'error' });
        out.push({ row: first, cell: 'fields', message, severity: 'error' });
      } else {
        owners.set(key, r);
      }
    }
    const master = (c.master || '').trim();
    if (!master) out.push({ row: r, cell: 'master', message: 'a master system is needed', severity: 'error' });
    else if (model.names.length && !model.names.includes(master)) {
      out.push({ row: r, cell: 'master', message: `no system '${master}' (${model.names.join(', ')})`, severity: 'error' });
    }
    for (const s of c.subscribers || []) {
      if (model.names.length && !model.names.includes(s)) {
        out.push({ row: r, cell: 'subscribers', message: `no system '${s}' (${model.names.join(', ')})`, severity: 'error' });
      } else if (s === master) {
        out.push({ row: r, cell: 'subscribers', message: `${s} is the master; it cannot also subscribe`, severity: 'warning' });
      }
    }
  });
  return out;
}

export default {
  id: 'mastership',
  title: 'Mastership',
  async mount(root, ctx) {
    const editable = ctx.can('author');
    const [loaded, systemsAnswer] = await Promise.all([loadGrid(ctx, PATH), ctx.api('/api/systems')]);
    if (loaded.error) {
      root.append(h('p', { class: 'error', role: 'alert' }, `Cannot open ${PATH}: ${loaded.error}`));
      return;
    }
    const model = knownModel(systemsAnswer.status === 200 ? systemsAnswer.body.systems : []);
    let base = loaded.base;
    let text = base;
    let serverDiagnostics = [];
    let dirty = loaded.restored;
    let checking = 0;
    let edits = 0;
    root.dataset.check = 'done'; // 'pending' from an edit until the host's check of the latest rows is shown

    const status = h('p', { class: 'status-line', role: 'status', 'aria-live': 'polite' });
    const problems = h('ul', { class: 'problems', 'aria-label': 'Problems' });
    const saveButton = editable ? h('button', { type: 'button', class: 'primary', id: 'save', onclick: save }, 'Save') : null;
    const discardButton = editable ? h('button', { type: 'button', id: 'discard', onclick: discard }, 'Discard changes') : null;
    const pasteArea = h('textarea', { id: 'paste-rows', rows: '4', cols: '80', 'aria-describedby': 'paste-hint',
      placeholder: 'entity\tfields\tmaster\tsubscribers\treason' });

    add(root,
      h('p', { class: 'muted' }, 'Who owns each field: a change from the master is accepted; from any other system it is rejected with the reason. ',
        h('code', {}, PATH)),
      editable ? null : h('p', { class: 'notice', id: 'read-only' }, `Read-only: you are ${ctx.session.role}; authors change this table.`),
      loaded.restored ? h('p', { class: 'notice' }, loaded.stale
        ? 'Your unsaved draft is back; the file changed on the host since you started it.'
        : 'Your unsaved draft is back.') : null);

    const gridHost = h('div', { class: 'grid-wrap' });
    root.append(gridHost);
    const grid = createGrid(gridHost, {
      id: 'mastership-grid', caption: 'Mastership rows', columns: COLUMNS.map((c) => ({
        ...c,
        suggest: c.key === 'entity' ? () => [...model.fields.keys()]
          : c.key === 'master' ? () => model.names : undefined,
      })),
      rows: loaded.rows, readOnly: !editable,
      emptyRow: () => ({ entity: '', fields: [], master: '', subscribers: [], reason: '' }),
      onChange: () => { dirty = true; edits += 1; root.dataset.check = 'pending'; local(); serverCheck(); },
    });

    if (editable) {
      add(root,
        h('div', { class: 'toolbar' },
          h('button', { type: 'button', id: 'add-row', onclick: () => grid.addRow() }, 'Add row'),
          saveButton, discardButton,
          h('button', { type: 'button', id: 'copy-tsv', onclick: copyTsv }, 'Copy as TSV')),
        h('details', { class: 'paste' },
          h('summary', {}, 'Paste rows from a spreadsheet'),
          h('label', { for: 'paste-rows' }, 'Rows, one per line, columns separated by tabs'),
          h('br'), pasteArea,
          h('p', { class: 'hint', id: 'paste-hint' }, 'Columns: entity, fields, master, subscribers, reason (fields and subscribers separated by commas). You can also paste straight into a cell.'),
          h('button', { type: 'button', id: 'add-pasted', onclick: () => {
            const rows = parseTsv(pasteArea.value, COLUMNS);
            if (rows.length) grid.addRows(rows);
            pasteArea.value = '';
          } }, 'Add these rows')));
    }
    root.append(status, h('h2', {}, 'Problems'), problems);

    function messages() {
      return [...flags(grid.rows(), model), ...serverDiagnostics.filter((d) => d.file === PATH || d.row !== undefined)];
    }

    function local() {
      const list = messages();
      grid.setMessages(list);
      clear(problems).append(...(list.length ? list.map((d) => h('li', { class: d.severity === 'error' ? 'error' : 'warning' }, describe(d)))
        : [h('li', { class: 'ok' }, 'No problems.')]));
      status.textContent = checking ? 'Checking…' : dirty ? 'Unsaved changes.' : 'Saved.';
    }

    const serverCheck = debounce(async () => {
      if (!editable) return;
      checking += 1;
      const at = edits;
      local();
      const rows = grid.rows();
      const answer = await checkGrid(ctx, PATH, base, rows);
      checking -= 1;
      if (answer.error) {
        serverDiagnostics = [{ severity: 'error', message: answer.error }];
      } else {
        text = answer.text;
        serverDiagnostics = answer.diagnostics.filter((d) => d.severity !== 'info');
        if (dirty && at === edits) keepDraft(PATH, base, text, rows);
      }
      local();
      if (at === edits) root.dataset.check = 'done';
    }, 500);

    async function save() {
      saveButton.disabled = true;
      status.textContent = 'Saving…';
      const rows = grid.rows();
      const checked = await checkGrid(ctx, PATH, base, rows);
      if (checked.error || !checked.valid) {
        serverDiagnostics = checked.error ? [{ severity: 'error', message: checked.error }] : checked.diagnostics;
        local();
        status.textContent = 'Not saved: fix the problems first.';
        ctx.toast('Not saved: fix the problems first.', 'error');
        saveButton.disabled = false;
        return;
      }
      const saved = await saveText(ctx, PATH, checked.text);
      saveButton.disabled = false;
      if (!saved.ok) {
        serverDiagnostics = saved.diagnostics.length ? saved.diagnostics : [{ severity: 'error', message: saved.error }];
        local();
        status.textContent = 'Not saved: ' + saved.error;
        ctx.toast('Not saved: ' + saved.error, 'error');
        return;
      }
      dropDraft(PATH);
      const fresh = await loadGrid(ctx, PATH);
      base = fresh.base;
      grid.setRows(fresh.rows);
      dirty = false;
      serverDiagnostics = saved.diagnostics.filter((d) => d.severity !== 'info');
      local();
      status.textContent = `Saved; live as rules version ${saved.rulesVersion || '-'}.`;
      ctx.toast('Mastership saved and live.', 'success');
    }

    async function discard() {
      dropDraft(PATH);
      const fresh = await loadGrid(ctx, PATH);
      base = fresh.base;
      grid.setRows(fresh.rows);
      dirty = false;
      serverDiagnostics = [];
      local();
    }

    async function copyTsv() {
      const tsv = toTsv(grid.rows(), COLUMNS);
      try {
        await navigator.clipboard.writeText(tsv);
        ctx.toast('Rows copied as tab-separated text.');
      } catch {
        pasteArea.value = tsv;
        pasteArea.closest('details').open = true;
        ctx.toast('Copy from the box below.');
      }
    }

    local();
    if (loaded.restored) serverCheck();
    // leaving the screen: a pending check still runs, so the draft keeps the latest rows and text
    return () => serverCheck.flush();
  },
};
