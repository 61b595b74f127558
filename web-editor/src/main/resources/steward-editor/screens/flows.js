/**
 * Flows: the flow files in a YAML editor with highlighting, completion from the flow schema the
 * host generates (GET /api/schema/flow) and the host's diagnostics at their line and column as
 * you type. Authors save; others read.
 */
import { h, table } from '../lib/dom.js';
import { mountFileEditor } from '../lib/fileEditor.js';
import { schemaCompletion } from '../lib/yamlSchema.js';

export default {
  id: 'flows',
  title: 'Flows',
  async mount(root, ctx) {
    const [files, flows, schema] = await Promise.all([ctx.api('/api/workspace'), ctx.api('/api/flows'), ctx.api('/api/schema/flow')]);
    if (flows.status === 200) {
      const rows = flows.body.flows.map((f) => f.status === 'active'
        ? [f.id, h('code', {}, f.hook), f.status, f.description || '']
        : [f.file, '', h('span', { class: 'error' }, f.status), h('span', { class: 'error' }, f.diagnostics.map((d) => d.line + ': ' + d.message).join('; '))]);
      root.append(h('details', {}, h('summary', {}, `${flows.body.flows.length} flows and their webhooks`),
        table(['Flow', 'Webhook', 'Status', 'Description'], rows, { id: 'flow-list' })));
    }
    const paths = files.status === 200 ? files.body.files.filter((f) => f.path.startsWith('flows/')).map((f) => f.path) : [];
    const flowSchema = schema.status === 200 ? schema.body : null;
    return mountFileEditor(root, ctx, { files: paths, language: 'yaml', saveRole: 'author', label: 'Flow', screen: 'flows',
      complete: schemaCompletion(() => flowSchema) });
  },
};
