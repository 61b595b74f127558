/** Flows: the flows this host runs, with their webhooks, and the files that do not load. */
import { h, table } from '../lib/dom.js';
import { errorText } from '../lib/api.js';

export default {
  id: 'flows',
  title: 'Flows',
  async mount(root, ctx) {
    const answer = await ctx.api('/api/flows');
    if (answer.status !== 200) {
      root.append(h('p', { class: 'error', role: 'alert' }, 'Cannot list the flows: ' + errorText(answer)));
      return;
    }
    const rows = answer.body.flows.map((f) => f.status === 'active'
      ? [f.id, h('code', {}, f.hook), f.status, f.description || '']
      : [f.file, '', h('span', { class: 'error' }, f.status),
        h('span', { class: 'error' }, f.diagnostics.map((d) => d.line + ': ' + d.message).join('; '))]);
    root.append(table(['Flow', 'Webhook', 'Status', 'Description'], rows, { id: 'flow-list' }));
  },
};
