// The token comes once as #token=…; it leaves the address bar (and history) at once and is kept for
// this tab only.
const hashToken = new URLSearchParams(location.hash.slice(1)).get('token');
if (hashToken) {
  sessionStorage.setItem('tickstock-token', hashToken);
  history.replaceState(null, '', location.pathname + location.search);
}

export const token = sessionStorage.getItem('tickstock-token');
const headers = token ? { Authorization: 'Bearer ' + token } : {};

/** A GET on the consumer's REST API with the tab's token. */
export async function api(path) {
  const r = await fetch(path, { headers });
  if (!r.ok) throw Object.assign(new Error(path + ': HTTP ' + r.status), { status: r.status });
  return r.json();
}

/** Keeps `value` for this tab and loads the page again with it. */
export function useToken(value) {
  sessionStorage.setItem('tickstock-token', value);
  location.reload();
}
