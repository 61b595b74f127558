/**
 * The editor's one way to the API. api(path, options) answers {status, body} and never throws:
 * a network failure is status 0 with body.error; a body that is not JSON is {text}. Changes
 * (anything but GET and HEAD) send JSON and the session's CSRF token, as the host requires.
 */
export function createApi(csrfToken) {
  return async function api(path, options = {}) {
    const method = (options.method || 'GET').toUpperCase();
    const headers = { Accept: 'application/json', ...(options.headers || {}) };
    let body;
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    if (method !== 'GET' && method !== 'HEAD' && csrfToken) {
      headers['X-CSRF-Token'] = csrfToken;
    }
    let response;
    try {
      response = await fetch(path, { method, headers, body, credentials: 'same-origin', signal: options.signal });
    } catch (e) {
      return { status: 0, body: { error: e.name === 'AbortError' ? 'cancelled' : 'the host did not answer: ' + e.message } };
    }
    const text = await response.text();
    let parsed;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      parsed = { text };
    }
    return { status: response.status, body: parsed };
  };
}

/** The message to show for a failed answer: the host's error, or the status. */
export function errorText(answer) {
  if (answer.status === 0) return answer.body.error;
  return (answer.body && (answer.body.error || answer.body.message || answer.body.title)) || ('the host answered ' + answer.status);
}
