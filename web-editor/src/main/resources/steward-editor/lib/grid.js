/**
 * An editable grid over rows of cells: a plain <table> of labelled inputs. Typing changes the
 * model in place (no re-render, so focus and layout stay put); adding, removing, moving and
 * pasting rows re-render the body. Pasting text with tabs or line breaks into a cell inserts
 * rows (spreadsheet paste: columns in the grid's order, an optional header row skipped).
 *
 * columns: [{key, label, list?: true (comma-separated values), suggest?: () => [values], width?}]
 * rows: [{id, cells}] (id: the row's index in the file, -1 for a new row)
 * messages: [{row, cell?, message, severity}] shown under the cell (space reserved) and listed.
 */
import { h, clear, uid } from './dom.js';

export function parseTsv(text, columns) {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').filter((l) => l.trim() !== '');
  const rows = lines.map((line) => line.split('\t'));
  if (rows.length && columns.every((c, i) => rows[0][i] === undefined
      || [c.key.toLowerCase(), c.label.toLowerCase()].includes(rows[0][i].trim().toLowerCase()))) {
    rows.shift();
  }
  return rows.map((values) => {
    const cells = {};
    columns.forEach((c, i) => {
      const raw = (values[i] || '').trim();
      cells[c.key] = c.list ? splitList(raw) : raw;
    });
    return { id: -1, cells };
  });
}

export function splitList(text) {
  return text.split(/[,;\s]+/).map((s) => s.trim()).filter(Boolean);
}

export function toTsv(rows, columns) {
  return [columns.map((c) => c.label).join('\t'),
    ...rows.map((r) => columns.map((c) => {
      const v = r.cells[c.key];
      return Array.isArray(v) ? v.join(', ') : (v || '');
    }).join('\t'))].join('\n');
}

export function createGrid(parent, options) {
  const { columns, readOnly = false, caption, onChange = () => {}, emptyRow } = options;
  let rows = (options.rows || []).map((r) => ({ id: r.id, cells: { ...r.cells } }));
  let messages = [];
  const gridId = uid('grid');
  const lists = {};
  const datalists = h('div', { hidden: true });
  for (const c of columns) {
    if (c.suggest) {
      lists[c.key] = h('datalist', { id: gridId + '-' + c.key });
      datalists.append(lists[c.key]);
    }
  }
  const tbody = h('tbody');
  const tableEl = h('table', { class: 'grid', id: options.id },
    caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '#'), columns.map((c) => h('th', { scope: 'col', style: c.width ? { width: c.width } : null }, c.label)),
      readOnly ? null : h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
    tbody);
  parent.append(datalists, tableEl);

  function refreshSuggestions() {
    for (const c of columns) {
      if (!c.suggest) continue;
      clear(lists[c.key]).append(...c.suggest().map((v) => h('option', { value: v })));
    }
  }

  function changed() {
    onChange(rows);
  }

  function valueText(v) {
    return Array.isArray(v) ? v.join(', ') : (v ?? '');
  }

  function render(focus) {
    refreshSuggestions();
    clear(tbody);
    rows.forEach((row, r) => {
      const tr = h('tr', { dataset: { row: String(r) } }, h('th', { scope: 'row', class: 'rownum' }, String(r + 1)));
      for (const c of columns) {
        const msgId = `${gridId}-m-${r}-${c.key}`;
        const input = h('input', {
          type: 'text', value: valueText(row.cells[c.key]), 'aria-label': `${c.label}, row ${r + 1}`,
          'aria-describedby': msgId, readOnly, list: c.suggest ? gridId + '-' + c.key : null,
          dataset: { cell: c.key }, autocomplete: 'off', spellcheck: c.key === 'reason' || c.key === 'message' ? 'true' : 'false',
          oninput: (e) => {
            row.cells[c.key] = c.list ? splitList(e.target.value) : e.target.value;
            changed();
          },
          onpaste: (e) => {
            const text = e.clipboardData ? e.clipboardData.getData('text/plain') : '';
            if (readOnly || !(text.includes('\t') || text.trim().includes('\n'))) return;
            e.preventDefault();
            const pasted = parseTsv(text, columns);
            const empty = columns.every((col) => valueText(row.cells[col.key]) === '');
            rows.splice(empty ? r : r + 1, empty ? 1 : 0, ...pasted);
            render({ row: (empty ? r : r + 1) + pasted.length - 1, cell: columns[0].key });
            changed();
          },
        });
        tr.append(h('td', { dataset: { cell: c.key } }, input, h('span', { class: 'cell-msg', id: msgId })));
      }
      if (!readOnly) {
        tr.append(h('td', { class: 'actions' },
          h('button', { type: 'button', 'aria-label': `Move row ${r + 1} up`, title: 'Move up', disabled: r === 0,
            onclick: () => { [rows[r - 1], rows[r]] = [rows[r], rows[r - 1]]; render({ row: r - 1, action: 'up' }); changed(); } }, '↑'),
          h('button', { type: 'button', 'aria-label': `Move row ${r + 1} down`, title: 'Move down', disabled: r === rows.length - 1,
            onclick: () => { [rows[r + 1], rows[r]] = [rows[r], rows[r + 1]]; render({ row: r + 1, action: 'down' }); changed(); } }, '↓'),
          h('button', { type: 'button', class: 'danger remove', 'aria-label': `Remove row ${r + 1}`, title: 'Remove row',
            onclick: () => { rows.splice(r, 1); render({ row: Math.min(r, rows.length - 1), action: 'remove' }); changed(); } }, '✕')));
      }
      tbody.append(tr);
    });
    if (!rows.length) {
      tbody.append(h('tr', {}, h('td', { colspan: String(columns.length + 2), class: 'muted' }, 'No rows yet.')));
    }
    showMessages();
    if (focus && focus.row >= 0) {
      const tr = tbody.querySelector(`tr[data-row="${focus.row}"]`);
      const target = focus.action === 'up' || focus.action === 'down'
        ? tr && tr.querySelector(`button[aria-label^="Move row ${focus.row + 1} ${focus.action}"]`)
        : tr && tr.querySelector(`input[data-cell="${focus.cell || columns[0].key}"]`);
      if (target && !target.disabled) target.focus();
      else if (tr) tr.querySelector('input').focus();
    }
  }

  function showMessages() {
    for (const span of tbody.querySelectorAll('.cell-msg')) {
      span.textContent = '';
      span.className = 'cell-msg';
      span.title = '';
      span.previousElementSibling.removeAttribute('aria-invalid');
    }
    for (const m of messages) {
      if (m.row === undefined || m.row === null) continue;
      const key = m.cell && columns.some((c) => c.key === m.cell) ? m.cell : columns[0].key;
      const span = tbody.querySelector(`tr[data-row="${m.row}"] td[data-cell="${key}"] .cell-msg`);
      if (!span || (span.textContent && span.classList.contains('error'))) continue;
      span.textContent = m.message;
      span.title = m.message;
      span.className = 'cell-msg ' + (m.severity === 'error' ? 'error' : 'warning');
      if (m.severity === 'error') span.previousElementSibling.setAttribute('aria-invalid', 'true');
    }
  }

  render();
  return {
    element: tableEl,
    rows: () => rows,
    setRows(next) {
      rows = next.map((r) => ({ id: r.id, cells: { ...r.cells } }));
      render();
    },
    addRow(cells) {
      rows.push({ id: -1, cells: cells || (emptyRow ? emptyRow() : {}) });
      render({ row: rows.length - 1, cell: columns[0].key });
      changed();
    },
    addRows(list) {
      rows.push(...list);
      render({ row: rows.length - 1, cell: columns[0].key });
      changed();
    },
    setMessages(list) {
      messages = list;
      showMessages();
    },
    refreshSuggestions,
  };
}
