/**
 * Systems: each system's connector, entities, circuit breaker and rate limit (GET /api/systems),
 * and one record read through its connector (GET /api/systems/{system}/{entity}/{key}; operator
 * role, since it uses the connector's own credentials).
 */
import { h, clear, field, table } from '../lib/dom.js';
import { badge, failure, section, value, when } from '../lib/ops.js';

export default {
  id: 'systems',
  title: 'Systems',
  async mount(root, ctx) {
    const answer = await ctx.api('/api/systems');
    if (answer.status !== 200) {
      root.append(failure('list the systems', answer));
      return;
    }
    const systems = answer.body.systems;
    root.append(section('system-state', 'Connectors, breakers and rate limits', table(
      ['System', 'Connector', 'Entities', 'Breaker', 'Since', 'Failure rate', 'Last failure', 'Rate limit'],
      systems.map((s) => {
        const b = s.breaker || {};
        return [h('strong', {}, s.name), s.connector, s.entities.map((e) => e.entity).join(', '),
          b.state ? badge(b.state) : '', when(b.since),
          b.failureRate == null || b.failureRate < 0 ? h('span', { class: 'muted', title: 'too few calls yet' }, 'n/a') : b.failureRate + ' %',
          b.lastFailure ? h('span', { class: 'error value' }, b.lastFailure) : '',
          s.rateLimit ? `${s.rateLimit.perSecond}/s, burst ${s.rateLimit.burst}` : 'none'];
      }), { id: 'systems-table' })));

    if (!ctx.can('operator')) {
      root.append(section('read-record', 'Read a record', h('p', { class: 'notice', id: 'read-needs-operator' },
        `Reading a record through a connector needs the operator role; you are ${ctx.session.role}.`)));
      return;
    }
    const system = h('select', { id: 'read-system' }, systems.map((s) => h('option', { value: s.name }, s.name)));
    const entity = h('select', { id: 'read-entity' });
    const key = h('input', { id: 'read-key', type: 'text', required: true, autocomplete: 'off', size: 18 });
    const out = h('div', { id: 'read-result', 'aria-live': 'polite' });
    const fillEntities = () => {
      const s = systems.find((x) => x.name === system.value);
      clear(entity).append(...(s ? s.entities : []).map((e) => h('option', { value: e.entity }, e.entity)));
    };
    system.addEventListener('change', fillEntities);
    fillEntities();
    const form = h('form', { class: 'toolbar', 'aria-label': 'Read a record' }, field('System', system), field('Entity', entity),
      field('Key', key), h('button', { type: 'submit', class: 'primary', id: 'read-go' }, 'Read'));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!key.value.trim()) {
        key.setAttribute('aria-invalid', 'true');
        clear(out).append(h('p', { class: 'error' }, 'Enter the record\'s key.'));
        return;
      }
      key.removeAttribute('aria-invalid');
      const path = ['/api/systems', system.value, entity.value, key.value.trim()].map((p, i) => (i ? encodeURIComponent(p) : p)).join('/');
      const record = await ctx.api(path);
      clear(out);
      if (record.status !== 200) return out.append(failure('read the record', record));
      const r = record.body;
      if (!r.exists) return out.append(h('p', { class: 'muted', id: 'read-missing' }, `${r.system} has no ${r.entity} ${r.key}.`));
      const names = Object.keys(r.fields || {});
      out.append(table(['Field', 'Value in ' + r.system, 'Known to Steward', 'Last written by Steward'], names.map((n) => [
        h('code', {}, n), value(r.fields[n]), value((r.known || {})[n]), value((r.lastWritten || {})[n])]), { id: 'read-fields' }),
      h('details', {}, h('summary', {}, 'Native fields'), h('pre', {}, JSON.stringify(r.nativeFields, null, 2))));
    });
    root.append(section('read-record', 'Read a record', form, out));
  },
};
