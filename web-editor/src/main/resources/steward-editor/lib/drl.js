/**
 * DRL highlighting for CodeMirror as a StreamLanguage mode: keywords, strings, comments,
 * numbers, annotations and variables ($x). No CodeMirror package for DRL exists; this is
 * all the editor needs, since diagnostics come from the server's compiler.
 */
import { StreamLanguage } from '@codemirror/language';

const KEYWORDS = new Set(['package', 'import', 'function', 'global', 'declare', 'rule', 'query', 'when', 'then',
  'end', 'extends', 'salience', 'no-loop', 'lock-on-active', 'agenda-group', 'activation-group', 'ruleflow-group',
  'dialect', 'enabled', 'auto-focus', 'date-effective', 'date-expires', 'duration', 'timer', 'calendars',
  'and', 'or', 'not', 'exists', 'forall', 'from', 'collect', 'accumulate', 'entry-point', 'eval', 'over',
  'matches', 'memberOf', 'contains', 'soundslike', 'in', 'this', 'new', 'return', 'if', 'else', 'null',
  'true', 'false', 'modify', 'insert', 'insertLogical', 'update', 'retract', 'delete', 'unit', 'type', 'end']);

export const drl = StreamLanguage.define({
  name: 'drl',
  startState: () => ({ inComment: false }),
  token(stream, state) {
    if (state.inComment) {
      if (stream.skipTo('*/')) { stream.next(); stream.next(); state.inComment = false; } else stream.skipToEnd();
      return 'comment';
    }
    if (stream.eatSpace()) return null;
    if (stream.match('//') || stream.match('#')) { stream.skipToEnd(); return 'comment'; }
    if (stream.match('/*')) { state.inComment = true; return 'comment'; }
    const ch = stream.peek();
    if (ch === '"' || ch === "'") {
      const quote = stream.next();
      let escaped = false;
      let c;
      while ((c = stream.next()) != null) {
        if (c === quote && !escaped) break;
        escaped = !escaped && c === '\\';
      }
      return 'string';
    }
    if (stream.match(/^-?\d+(\.\d+)?[lLdDfFbB]?/)) return 'number';
    if (stream.match(/^@[A-Za-z_][\w.]*/)) return 'meta';
    if (stream.match(/^\$[A-Za-z_]\w*/)) return 'variableName.special';
    if (stream.match(/^[A-Za-z_][\w-]*/)) {
      const word = stream.current();
      if (KEYWORDS.has(word)) return 'keyword';
      stream.backUp(word.length);
      stream.match(/^[A-Za-z_]\w*/);
      return /^[A-Z]/.test(stream.current()) ? 'typeName' : 'variableName';
    }
    if (stream.match(/^(==|!=|>=|<=|&&|\|\||[=<>!+\-*/%:;,.()[\]{}])/)) return 'operator';
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: '//', block: { open: '/*', close: '*/' } } },
});
