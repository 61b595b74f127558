/**
 * The one file that knows CodeMirror. create(parent, options) makes an editor and answers a
 * small handle, so screens never touch CodeMirror and a later swap changes this file only.
 *
 * options: {text, language: 'yaml'|'drl', label, readOnly, lint: async text => diagnostics,
 *           complete: CodeMirror completion source (context => result), onChange: text => void}
 * diagnostics: [{line, column, endLine?, endColumn?, severity: 'error'|'warning'|'info', message}]
 *           (1-based, as the API answers them)
 * handle: {getText, setText, onChange(fn), setDiagnostics(list), diagnostics(), focus, destroy}
 */
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection } from '@codemirror/view';
import { EditorState } from '@codemirror/state';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { syntaxHighlighting, defaultHighlightStyle, indentOnInput, bracketMatching, foldGutter } from '@codemirror/language';
import { searchKeymap, highlightSelectionMatches } from '@codemirror/search';
import { autocompletion, completionKeymap, closeBrackets } from '@codemirror/autocomplete';
import { linter, lintGutter, setDiagnostics as cmSetDiagnostics, lintKeymap, forEachDiagnostic } from '@codemirror/lint';
import { yaml } from '@codemirror/lang-yaml';
import { drl } from './drl.js';

/** Server diagnostics (1-based line and column) as CodeMirror ranges in this document. */
export function toRanges(doc, list) {
  const out = [];
  for (const d of list || []) {
    const lineNo = Math.min(Math.max(d.line || 1, 1), doc.lines);
    const line = doc.line(lineNo);
    const from = Math.min(line.from + Math.max((d.column || 1) - 1, 0), line.to);
    let to;
    if (d.endLine) {
      const end = doc.line(Math.min(Math.max(d.endLine, 1), doc.lines));
      to = Math.min(end.from + Math.max((d.endColumn || 1) - 1, 0), end.to);
    } else {
      to = line.to;
    }
    if (to <= from) to = Math.min(from + 1, doc.length);
    out.push({ from, to: Math.max(to, from), severity: ['error', 'warning', 'info', 'hint'].includes(d.severity) ? d.severity : 'error',
      message: d.message, source: d.file ? d.file + ':' + d.line : undefined });
  }
  return out;
}

export function create(parent, options = {}) {
  const listeners = [];
  if (options.onChange) listeners.push(options.onChange);
  const extensions = [
    lineNumbers(), highlightActiveLineGutter(), foldGutter(), history(), drawSelection(), indentOnInput(),
    bracketMatching(), closeBrackets(), highlightActiveLine(), highlightSelectionMatches(),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap, ...completionKeymap, ...lintKeymap, indentWithTab]),
    options.language === 'drl' ? drl : yaml(),
    lintGutter(),
    EditorView.contentAttributes.of({ 'aria-label': options.label || 'Code', 'aria-multiline': 'true' }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) {
        const text = update.state.doc.toString();
        for (const fn of listeners) fn(text);
      }
    }),
  ];
  if (options.readOnly) extensions.push(EditorState.readOnly.of(true), EditorView.editable.of(false));
  if (options.lint) {
    extensions.push(linter(async (view) => {
      const text = view.state.doc.toString();
      const list = await options.lint(text);
      // the text may have changed while the server answered: map to the current document only if unchanged
      if (view.state.doc.toString() !== text) return [];
      return toRanges(view.state.doc, list);
    }, { delay: options.lintDelay ?? 400 }));
  }
  if (options.complete) {
    extensions.push(autocompletion({ override: [options.complete], activateOnTyping: true }));
  } else {
    extensions.push(autocompletion());
  }
  const view = new EditorView({ parent, state: EditorState.create({ doc: options.text || '', extensions }) });
  const handle = {
    view,
    getText: () => view.state.doc.toString(),
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    onChange(fn) {
      listeners.push(fn);
    },
    setDiagnostics(list) {
      view.dispatch(cmSetDiagnostics(view.state, toRanges(view.state.doc, list)));
    },
    /** The diagnostics shown now, as {line, column, severity, message}. */
    diagnostics() {
      const out = [];
      forEachDiagnostic(view.state, (d, from) => {
        const line = view.state.doc.lineAt(from);
        out.push({ line: line.number, column: from - line.from + 1, severity: d.severity, message: d.message });
      });
      return out;
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
  // the handle on its element, for the browser tests and the developer tools
  parent.codeEditor = handle;
  return handle;
}
