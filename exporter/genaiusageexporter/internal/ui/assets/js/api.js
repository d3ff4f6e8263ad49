// The usage API client: the bearer token from sessionStorage, a prompt
// for one on a 401, and errors that say what failed.

const KEY = 'genai-usage-token';

export class APIError extends Error {
  constructor(status, type, message) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

export function token() {
  return sessionStorage.getItem(KEY) || '';
}

export function forgetToken() {
  sessionStorage.removeItem(KEY);
}

function headers() {
  const t = token();
  return t ? { Authorization: 'Bearer ' + t } : {};
}

// One prompt at a time: concurrent 401s wait for the same answer.
let asking = null;

function askToken(refused) {
  if (asking) return asking;
  const dlg = document.getElementById('auth');
  const form = document.getElementById('auth-form');
  const input = document.getElementById('auth-token');
  document.getElementById('auth-error').hidden = !refused;
  input.value = '';
  asking = new Promise((resolve) => {
    const done = (ev) => {
      ev.preventDefault();
      const v = input.value.trim();
      if (!v) return;
      sessionStorage.setItem(KEY, v);
      form.removeEventListener('submit', done);
      dlg.close();
      asking = null;
      document.dispatchEvent(new CustomEvent('token-changed'));
      resolve();
    };
    form.addEventListener('submit', done);
    dlg.addEventListener('cancel', (ev) => ev.preventDefault(), { once: true });
    dlg.showModal();
    input.focus();
  });
  return asking;
}

// query builds a query string from an object, leaving out undefined and
// null (an empty string is kept: user= selects calls without a user).
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null) q.set(k, v);
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

// fetchAuthed fetches a path with the token, asking for one on a 401.
export async function fetchAuthed(url, opts = {}) {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url, { ...opts, headers: { ...headers(), ...(opts.headers || {}) } });
    if (res.status !== 401 || attempt > 5) return res;
    await askToken(attempt > 0 || token() !== '');
  }
}

// get answers the data of an API route, or throws an APIError.
export async function get(path, params, opts) {
  let res;
  try {
    res = await fetchAuthed('/api/v1/' + path + query(params), opts);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new APIError(0, 'network', 'The collector did not answer: ' + e.message);
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    // not JSON: a proxy's page
  }
  if (res.ok && body && body.status === 'success') return body.data;
  const msg = body && body.error ? body.error : res.status + ' ' + res.statusText;
  throw new APIError(res.status, body && body.errorType, msg);
}
