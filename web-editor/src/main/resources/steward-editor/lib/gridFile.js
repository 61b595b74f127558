/**
 * What the mastership and decision-table screens share: load a grid file (GET /api/grid), keep
 * the author's rows as a draft, check them on the server as they type (POST /api/grid, which
 * answers the file's text and its diagnostics placed at row and cell), and save the text
 * (PUT /api/files, validated, audited and swapped in by the host).
 */
import { errorText } from './api.js';
import * as drafts from './drafts.js';

export async function loadGrid(ctx, path) {
  const answer = await ctx.api('/api/grid/' + path);
  if (answer.status !== 200) return { error: errorText(answer), status: answer.status };
  const draft = drafts.get(path);
  const restored = draft && draft.state && draft.state.rows ? draft : null;
  return {
    file: answer.body,
    rows: restored ? restored.state.rows : answer.body.rows.map((r) => ({ id: r.id, cells: r.cells })),
    top: restored && restored.state.top ? restored.state.top : answer.body.top,
    base: restored ? restored.base : answer.body.text,
    restored: !!restored,
    stale: !!(restored && restored.base !== answer.body.text),
  };
}

/** Rows to text and the server's check: {text, valid, diagnostics} or {error}. */
export async function checkGrid(ctx, path, base, rows, top) {
  const body = { base, rows: rows.map((r) => ({ id: r.id, cells: compact(r.cells) })) };
  if (top) body.top = top;
  const answer = await ctx.api('/api/grid/' + path, { method: 'POST', body });
  if (answer.status !== 200) return { error: errorText(answer), diagnostics: [] };
  return answer.body;
}

/** A row's cells without the empty ones (a column the row leaves out). */
export function compact(cells) {
  const out = {};
  for (const [k, v] of Object.entries(cells)) {
    if (v === '' || v === null || v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out;
}

export function keepDraft(path, base, text, rows, top) {
  drafts.set(path, { text, base, state: { rows: rows.map((r) => ({ id: r.id, cells: r.cells })), top } });
}

export function dropDraft(path) {
  drafts.clear(path);
}

/** Saves a text through PUT /api/files: {ok, rulesVersion, diagnostics, error}. */
export async function saveText(ctx, path, text) {
  const answer = await ctx.api('/api/files/' + path, { method: 'PUT', body: { text } });
  if (answer.status === 200) return { ok: true, rulesVersion: answer.body.rulesVersion, diagnostics: answer.body.diagnostics || [] };
  return { ok: false, error: errorText(answer), diagnostics: (answer.body && answer.body.diagnostics) || [] };
}

/** A diagnostic as one line of text: "row 2, fields: message" or "file:line: message". */
export function describe(d) {
  if (d.row !== undefined && d.row !== null) return `Row ${d.row + 1}${d.cell ? ', ' + d.cell : ''}: ${d.message}`;
  return `${d.file ? d.file + ':' : ''}${d.line || ''}${d.line ? ': ' : ''}${d.message}`;
}
