// The page's only way to the module: its own origin's routes (see src/view/view_routes.ts).

/** GET a JSON route; throws with the server's error text when it is not 2xx. */
export async function getJson(path) {
  const response = await fetch(path, { cache: 'no-store' });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? `${path}: HTTP ${response.status}`);
  return body;
}

/**
 * POST a JSON body to an action route. Resolves with { ok, error, body }: error is the
 * module's error status (or the route's 4xx message) for the page to show next to the field.
 */
export async function postJson(path, payload = {}) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = { error: `HTTP ${response.status}` };
  }
  if (response.ok) return { ok: true, error: null, body };
  const error = body?.error && typeof body.error === 'object' ? body.error.error : body?.error;
  return { ok: false, error: error ?? `HTTP ${response.status}`, body };
}
