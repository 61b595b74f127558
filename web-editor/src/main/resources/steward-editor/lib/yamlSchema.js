/**
 * Completion for YAML from a JSON Schema: finds the path of keys at the cursor by indentation
 * (a "- " opens a list item) and proposes the keys the schema allows there, or the values of an
 * enum after "key: " and inside "[...]". Enough for flow files, whose schema the host generates
 * (GET /api/schema/flow).
 */
function keyCol(text) {
  const m = /^(\s*)(-\s+)?/.exec(text);
  return { indent: m[1].length, dash: m[2] ? m[1].length : -1, key: m[0].length };
}

/** The path (keys and '[]' for list items) of the mapping that holds the cursor's line. */
export function pathAt(lines, lineIndex, before) {
  const path = [];
  const here = keyCol(before);
  let indent = here.key;
  if (here.dash >= 0) {
    path.push('[]');
    indent = here.dash;
  }
  for (let i = lineIndex - 1; i >= 0 && indent > 0; i--) {
    const text = lines[i];
    if (!text.trim() || text.trim().startsWith('#')) continue;
    const c = keyCol(text);
    const m = /^\s*(?:-\s+)?([A-Za-z_][\w-]*)\s*:/.exec(text);
    if (c.key < indent && m) {
      path.push(m[1]);
      indent = c.key;
      if (c.dash >= 0) {
        path.push('[]');
        indent = c.dash;
      }
    } else if (c.dash >= 0 && c.dash < indent && c.key >= indent) {
      path.push('[]');
      indent = c.dash;
    }
  }
  return path.reverse();
}

export function resolve(schema, path) {
  let node = schema;
  for (const step of path) {
    if (!node) return null;
    if (step === '[]') node = node.items;
    else node = (node.properties && node.properties[step]) || (node.additionalProperties && typeof node.additionalProperties === 'object' ? node.additionalProperties : null);
  }
  return node;
}

export function schemaCompletion(getSchema) {
  return (context) => {
    const schema = getSchema();
    if (!schema) return null;
    const { state, pos } = context;
    const line = state.doc.lineAt(pos);
    const before = line.text.slice(0, pos - line.from);
    const lines = [];
    for (let i = 1; i < line.number; i++) lines.push(state.doc.line(i).text);
    const inList = /^(\s*)(?:-\s+)?([A-Za-z_][\w-]*):\s*\[([^\]]*,\s*)?([\w./-]*)$/.exec(before);
    const value = /^(\s*)(?:-\s+)?([A-Za-z_][\w-]*):\s+([\w./-]*)$/.exec(before);
    const key = /^\s*(?:-\s+)?([\w-]*)$/.exec(before);
    if (inList || value) {
      const m = inList || value;
      const path = [...pathAt(lines, line.number - 1, before), m[2]];
      let node = resolve(schema, path);
      if (inList && node) node = node.items;
      if (!node || !node.enum) return null;
      const typed = inList ? m[4] : m[3];
      return { from: pos - typed.length, options: node.enum.map((v) => ({ label: v, type: 'enum', detail: node.description })), validFor: /^[\w./-]*$/ };
    }
    if (key) {
      const node = resolve(schema, pathAt(lines, line.number - 1, before));
      if (!node || !node.properties) return null;
      if (!context.explicit && key[1] === '' && !/-\s+$/.test(before) && before.trim() !== '') return null;
      const siblings = new Set();
      const indent = keyCol(before).key;
      for (let i = line.number - 2; i >= 0; i--) {
        const text = lines[i];
        if (!text.trim()) continue;
        const c = keyCol(text);
        if (c.key < indent) break;
        const m = /^\s*(?:-\s+)?([A-Za-z_][\w-]*)\s*:/.exec(text);
        if (c.key === indent && m) siblings.add(m[1]);
        if (c.dash >= 0 && c.key === indent) break;
      }
      const options = Object.entries(node.properties).filter(([k]) => !siblings.has(k)).map(([k, v]) => ({
        label: k, type: 'property', detail: v.type || '', info: v.description, apply: k + ': ',
      }));
      return { from: pos - key[1].length, options, validFor: /^[\w-]*$/ };
    }
    return null;
  };
}
