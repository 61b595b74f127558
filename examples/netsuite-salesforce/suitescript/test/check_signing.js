// Runs steward_signing.js and steward_user_event.js outside NetSuite, with N/ modules made of
// Node's own crypto, and checks them against the Standard Webhooks reference vector and an
// independent HMAC. Usage: node examples/netsuite-salesforce/suitescript/test/check_signing.js
// Prints "ok" and exits 0, or says what differs and exits 1.
'use strict';
const nodeCrypto = require('crypto');
const path = require('path');
const fs = require('fs');

// the API Secrets of the account: script id -> value (the base64 part of whsec_...)
const secrets = { custsecret_steward: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };

const encode = { Encoding: { UTF_8: 'UTF_8', BASE_64: 'BASE_64', HEX: 'HEX' } };
const toBuffer = (input, encoding) => Buffer.from(input, encoding === 'BASE_64' ? 'base64' : encoding === 'HEX' ? 'hex' : 'utf8');
const crypto = {
    HashAlg: { SHA256: 'SHA256' },
    createSecretKey: ({ secret, encoding }) => {
        if (!(secret in secrets)) throw new Error(`no API secret ${secret}`);
        return { bytes: toBuffer(secrets[secret], encoding) };
    },
    createHmac: ({ algorithm, key }) => {
        const mac = nodeCrypto.createHmac(algorithm.toLowerCase(), key.bytes);
        return {
            update: ({ input, inputEncoding }) => mac.update(toBuffer(input, inputEncoding)),
            digest: ({ outputEncoding }) => mac.digest(outputEncoding === 'BASE_64' ? 'base64' : 'hex'),
        };
    },
};

const load = (file, modules) => {
    let exported;
    const define = (deps, factory) => { exported = factory(...deps.map((d) => modules[d])); };
    new Function('define', fs.readFileSync(path.join(__dirname, '..', file), 'utf8'))(define);
    return exported;
};

const failures = [];
const signing = load('steward_signing.js', { 'N/crypto': crypto, 'N/encode': encode });
const vector = signing.sign('custsecret_steward', 'msg_p5jXN8AQM9LWM0D4loKWxJek', '1614265330', '{"test": 2432232314}');
if (vector !== 'g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=') failures.push(`vector: got ${vector}`);

// one edit of a customer, through the user event script
const posted = [];
const field = (values) => ({ getValue: ({ fieldId }) => values[fieldId], getFields: () => Object.keys(values) });
const before = field({ externalid: 'C-1001', email: 'old@acme.example', phone: '1', lastmodifieddate: new Date('2026-11-28T11:00:00Z') });
const after = Object.assign(field({ externalid: 'C-1001', email: 'new@acme.example', phone: '1', lastmodifieddate: new Date('2026-11-28T12:00:00Z') }),
    { id: 107, type: 'customer' });
const params = { custscript_steward_url: 'https://steward.example.com/hooks/netsuite/customer', custscript_steward_secret: 'custsecret_steward',
    custscript_steward_fields: 'email, phone' };
const userEvent = load('steward_user_event.js', {
    'N/https': { post: (request) => { posted.push(request); return { code: posted.length === 1 ? 503 : 202, body: '' }; } },
    'N/runtime': { accountId: '1234567_SB1', getCurrentScript: () => ({ getParameter: ({ name }) => params[name] }) },
    'N/record': { load: () => { throw new Error('no load on edit'); } },
    'N/log': { error: (e) => failures.push(`logged error: ${JSON.stringify(e)}`) },
    './steward_signing': signing,
});
userEvent.afterSubmit({ type: 'edit', UserEventType: { CREATE: 'create', EDIT: 'edit', XEDIT: 'xedit' }, oldRecord: before, newRecord: after });

if (posted.length !== 2) failures.push(`expected a 503 then a 202 (two tries), got ${posted.length} posts`);
const delivery = posted[posted.length - 1] || { headers: {}, body: '{}' };
if (posted.length === 2 && posted[0].headers['webhook-id'] !== delivery.headers['webhook-id']) failures.push('a retry changed webhook-id');
const body = JSON.parse(delivery.body);
const expected = { id: '107', type: 'customer', externalId: 'C-1001', event: 'edit', changedFields: ['email'],
    lastModifiedDate: '2026-11-28T12:00:00.000Z', accountId: '1234567_SB1' };
if (JSON.stringify(body) !== JSON.stringify(expected)) failures.push(`body: got ${delivery.body}`);
const h = delivery.headers;
const independent = nodeCrypto.createHmac('sha256', Buffer.from(secrets.custsecret_steward, 'base64'))
    .update(`${h['webhook-id']}.${h['webhook-timestamp']}.${delivery.body}`).digest('base64');
if (h['webhook-signature'] !== `v1,${independent}`) failures.push(`signature: got ${h['webhook-signature']}, want v1,${independent}`);
if (Math.abs(Number(h['webhook-timestamp']) - Date.now() / 1000) > 5) failures.push(`timestamp: ${h['webhook-timestamp']}`);

if (failures.length) {
    console.log(failures.join('\n'));
    process.exit(1);
}
console.log('ok');
