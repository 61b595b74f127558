/**
 * Steward: tells Steward about every saved record (NetSuite has no outbound webhooks).
 *
 * After a record is created, edited or inline-edited (afterSubmit: the change is committed), it
 * posts one JSON object to Steward, signed the Standard Webhooks way (see steward_signing.js):
 *
 *   {"id": "107", "type": "customer", "externalId": "C-1001", "event": "edit",
 *    "changedFields": ["email", "phone"], "lastModifiedDate": "2026-11-28T12:00:00.000Z",
 *    "accountId": "1234567_SB1"}
 *
 * A thin notification: Steward reads the record itself (flow: format: netsuite, fetch: true).
 *
 * Script parameters (Customization > Scripting > Scripts > this script > Parameters):
 *   custscript_steward_url     Free-Form Text: the flow's hook, https://steward.example.com/hooks/netsuite/customer
 *   custscript_steward_secret  Free-Form Text: script id of the API Secret with the signing key (custsecret_steward)
 *   custscript_steward_fields  Free-Form Text, optional: comma-separated field ids Steward maps
 *                              (email,phone,creditlimit); when given, edits that change none of
 *                              them are not posted
 *
 * Retries: NetSuite retries nothing. The script tries each delivery TRIES times at once (SuiteScript
 * cannot wait between tries), reusing its webhook-id so Steward stores it once; every try costs 10
 * usage units of the 1,000 a user event script has, and N/https gives up after 5 s to connect and 45 s
 * for the answer. A change whose deliveries all failed is logged (Execution Log, "Steward delivery
 * failed") and reaches Steward only through a poll trigger or `steward audit`. See
 * docs/vendors/netsuite.md.
 *
 * @NApiVersion 2.1
 * @NScriptType UserEventScript
 * @NModuleScope SameAccount
 */
define(['N/https', 'N/runtime', 'N/record', 'N/log', './steward_signing'], (https, runtime, record, log, signing) => {

    const TRIES = 3;

    const text = (value) => (value === null || value === undefined ? '' : String(value));

    const iso = (value) => (value instanceof Date ? value.toISOString() : text(value) || null);

    /** The field ids whose value this save changed, among the watched ones (all fields when none are watched). */
    const changedFields = (context, watched) => {
        const now = context.newRecord;
        const candidates = watched.length ? watched : now.getFields();
        if (context.type === context.UserEventType.XEDIT) {
            // an inline edit's newRecord holds only the edited fields
            const edited = now.getFields();
            return candidates.filter((f) => edited.indexOf(f) >= 0);
        }
        if (context.type === context.UserEventType.CREATE || !context.oldRecord) {
            return candidates.filter((f) => text(now.getValue({ fieldId: f })) !== '');
        }
        const before = context.oldRecord;
        return candidates.filter((f) => text(before.getValue({ fieldId: f })) !== text(now.getValue({ fieldId: f })));
    };

    const deliver = (url, headers, body) => {
        let last = '';
        for (let i = 1; i <= TRIES; i++) {
            try {
                const answer = https.post({ url, headers, body });
                if (answer.code >= 200 && answer.code < 300) {
                    return true;
                }
                last = `HTTP ${answer.code}: ${text(answer.body).substring(0, 300)}`;
                if (answer.code >= 400 && answer.code < 500 && answer.code !== 408 && answer.code !== 429) {
                    break; // refused (bad signature, wrong secret): trying again cannot help
                }
            } catch (e) {
                last = `${e.name}: ${e.message}`;
            }
        }
        log.error({ title: 'Steward delivery failed', details: `${headers['webhook-id']} to ${url}: ${last}; body ${body}` });
        return false;
    };

    const afterSubmit = (context) => {
        const types = context.UserEventType;
        if ([types.CREATE, types.EDIT, types.XEDIT].indexOf(context.type) < 0) {
            return;
        }
        const script = runtime.getCurrentScript();
        const url = script.getParameter({ name: 'custscript_steward_url' });
        const secretId = script.getParameter({ name: 'custscript_steward_secret' });
        const watched = text(script.getParameter({ name: 'custscript_steward_fields' }))
            .split(',').map((f) => f.trim().toLowerCase()).filter((f) => f);
        if (!url || !secretId) {
            log.error({ title: 'Steward delivery failed', details: 'set custscript_steward_url and custscript_steward_secret' });
            return;
        }
        const changed = changedFields(context, watched);
        if (context.type !== types.CREATE && watched.length && !changed.length) {
            return; // nothing Steward maps changed
        }
        // an inline edit's newRecord lacks the other fields: read the saved record (5 to 10 units)
        const saved = context.type === types.XEDIT
            ? record.load({ type: context.newRecord.type, id: context.newRecord.id })
            : context.newRecord;
        const body = JSON.stringify({
            id: text(context.newRecord.id),
            type: context.newRecord.type,
            externalId: text(saved.getValue({ fieldId: 'externalid' })) || null,
            event: context.type,
            changedFields: changed,
            lastModifiedDate: iso(saved.getValue({ fieldId: 'lastmodifieddate' })),
            accountId: runtime.accountId,
        });
        const id = `ns_${context.newRecord.type}_${context.newRecord.id}_${Date.now()}_${Math.floor(Math.random() * 1e9)}`;
        const timestamp = String(Math.floor(Date.now() / 1000));
        deliver(url, signing.headers(secretId, id, timestamp, body), body);
    };

    return { afterSubmit };
});
