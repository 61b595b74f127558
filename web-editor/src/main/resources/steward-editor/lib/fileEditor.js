/**
 * A code screen: the files of one kind on the left, the chosen one in a CodeMirror editor on the
 * right, checked by the host as you type (POST /api/validate, debounced; its diagnostics at their
 * line and column, the DRL policy's refusals included) and saved through PUT /api/files.
 */
import { h, add, clear } from './dom.js';
import { errorText } from './api.js';
import { create } from './codeEditor.js';

export async function mountFileEditor(root, ctx, { files, language, saveRole, complete, label, screen }) {
  const editable = ctx.can(saveRole);
  if (!files.length) {
    root.append(h('p', { class: 'notice' }, 'No files of this kind in the workspace.'));
    return undefined;
  }
  const chosen = files.includes(ctx.params.get('file')) ? ctx.params.get('file') : files[0];
  const list = h('ul', { class: 'filelist', 'aria-label': label + ' files' }, files.map((f) => h('li', {},
    h('button', { type: 'button', 'aria-current': f === chosen ? 'true' : 'false', dataset: { file: f },
      onclick: () => ctx.navigate(`#/${screen}?file=${encodeURIComponent(f)}`) }, f))));
  const answer = await ctx.api('/api/files/' + chosen);
  if (answer.status !== 200) {
    root.append(h('p', { class: 'error', role: 'alert' }, `Cannot open ${chosen}: ${errorText(answer)}`));
    return undefined;
  }
  let saved = answer.body.text;
  const status = h('p', { class: 'status-line', id: 'editor-status', role: 'status', 'aria-live': 'polite' });
  const problems = h('ul', { class: 'problems', id: 'editor-problems', 'aria-label': 'Problems' });
  const saveButton = editable ? h('button', { type: 'button', class: 'primary', id: 'save', onclick: save }, 'Save') : null;
  const editorHost = h('div', { class: 'code', id: 'code' });
  add(root,
    editable ? null : h('p', { class: 'notice', id: 'read-only' }, `Read-only: you are ${ctx.session.role}; ${saveRole}s change these files.`),
    h('div', { class: 'split' },
      h('div', {}, list),
      h('div', {},
        h('div', { class: 'toolbar' }, h('strong', { id: 'file-name' }, chosen), saveButton),
        editorHost, status, problems)));

  let checks = 0;
  function show(list2) {
    const mine = list2.filter((d) => !d.file || d.file === chosen);
    const other = list2.filter((d) => d.file && d.file !== chosen && d.severity === 'error');
    clear(problems).append(...[...mine, ...other].map((d) => h('li', { class: d.severity === 'error' ? 'error' : 'warning' },
      `${d.file || chosen}:${d.line}:${d.column}: ${d.severity}: ${d.message}`)));
    const errors = mine.filter((d) => d.severity === 'error').length;
    status.textContent = (editor.getText() === saved ? '' : 'Unsaved changes. ')
      + (errors ? `${errors} error${errors > 1 ? 's' : ''}.` : 'No errors.');
  }

  const editor = create(editorHost, {
    text: saved, language, label: `${chosen} (${language === 'drl' ? 'DRL' : 'YAML'})`, readOnly: !editable, complete,
    lint: editable ? async (text) => {
      checks += 1;
      const r = await ctx.api('/api/validate', { method: 'POST', body: { files: { [chosen]: text } } });
      checks -= 1;
      if (r.status !== 200) return [{ line: 1, column: 1, severity: 'error', message: errorText(r) }];
      show(r.body.diagnostics);
      return r.body.diagnostics.filter((d) => d.file === chosen && d.severity !== 'info');
    } : undefined,
  });
  editor.onChange(() => { status.textContent = 'Checking…'; });

  async function save() {
    saveButton.disabled = true;
    const text = editor.getText();
    const r = await ctx.api('/api/files/' + chosen, { method: 'PUT', body: { text } });
    saveButton.disabled = false;
    const diagnostics = (r.body && r.body.diagnostics) || [];
    if (r.status === 200) {
      saved = text;
      show(diagnostics);
      status.textContent = `Saved; live as rules version ${r.body.rulesVersion || '-'}.`;
      ctx.toast(chosen + ' saved and live.', 'success');
    } else {
      editor.setDiagnostics(diagnostics.filter((d) => d.file === chosen));
      show(diagnostics);
      status.textContent = 'Not saved: ' + errorText(r);
      ctx.toast('Not saved: ' + errorText(r), 'error');
    }
  }
  return () => editor.destroy();
}
