/**
 * DRL (developers): rule files in an editor with DRL highlighting and the host's diagnostics at
 * their line as you type: the compiler's messages and the DRL policy's refusals (a rule that
 * calls System.exit, reflection, I/O...).
 */
import { mountFileEditor } from '../lib/fileEditor.js';

export default {
  id: 'drl',
  title: 'DRL',
  minRole: 'developer',
  async mount(root, ctx) {
    const files = await ctx.api('/api/workspace');
    const paths = files.status === 200 ? files.body.files.filter((f) => f.path.endsWith('.drl')).map((f) => f.path) : [];
    return mountFileEditor(root, ctx, { files: paths, language: 'drl', saveRole: 'developer', label: 'DRL', screen: 'drl' });
  },
};
