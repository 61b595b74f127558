/**
 * Steward: Standard Webhooks signing for SuiteScript 2.x.
 *
 * webhook-signature is "v1," + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)), the
 * key being the bytes of the Steward secret "whsec_<base64>" after the prefix, base64-decoded.
 * Store that base64 part (without "whsec_") as an API Secret (Setup > Company > API Secrets),
 * restricted to the Steward scripts, and give its script id (custsecret_...) to the user event
 * script's parameter.
 *
 * @NApiVersion 2.1
 * @NModuleScope SameAccount
 */
define(['N/crypto', 'N/encode'], (crypto, encode) => {

    /**
     * The base64 HMAC-SHA256 of "id.timestamp.body".
     *
     * @param {string} secretId  script id of the API Secret holding the base64 key (custsecret_...)
     * @param {string} id        the delivery's webhook-id
     * @param {string} timestamp seconds since the epoch, as sent in webhook-timestamp
     * @param {string} body      the exact body posted
     * @returns {string} the signature, without the "v1," prefix
     */
    const sign = (secretId, id, timestamp, body) => {
        const key = crypto.createSecretKey({ secret: secretId, encoding: encode.Encoding.BASE_64 });
        const hmac = crypto.createHmac({ algorithm: crypto.HashAlg.SHA256, key });
        hmac.update({ input: `${id}.${timestamp}.${body}`, inputEncoding: encode.Encoding.UTF_8 });
        return hmac.digest({ outputEncoding: encode.Encoding.BASE_64 });
    };

    /** The three Standard Webhooks headers for one delivery, plus its content type. */
    const headers = (secretId, id, timestamp, body) => ({
        'Content-Type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': timestamp,
        'webhook-signature': `v1,${sign(secretId, id, timestamp, body)}`,
    });

    return { sign, headers };
});
