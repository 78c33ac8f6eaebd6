// The `Prefer` request header (RFC 7240) as far as changes use it: `respond-async` and `wait=N`.
// Preference names are case-insensitive, a preference given twice counts the first time only
// (§2), several Prefer headers are one list, and anything not understood is ignored (§2: a server
// ignores what it does not support), never an error.

export interface WaitPreference {
  respondAsync: boolean;
  /** Seconds the caller is willing to wait (`wait=N`, delta-seconds). */
  waitSeconds?: number;
}

export function parsePrefer(header: string | string[] | undefined): WaitPreference {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const seen = new Set<string>();
  const preference: WaitPreference = { respondAsync: false };
  for (const item of values.flatMap((value) => value.split(','))) {
    // token [ BWS "=" BWS word ] *( OWS ";" [ OWS parameter ] ): parameters are not used here.
    const [head = ''] = item.split(';');
    const equals = head.indexOf('=');
    const name = (equals === -1 ? head : head.slice(0, equals)).trim().toLowerCase();
    if (name === '' || seen.has(name)) continue;
    seen.add(name);
    const value = equals === -1 ? undefined : unquote(head.slice(equals + 1).trim());
    if (name === 'respond-async' && value === undefined) preference.respondAsync = true;
    if (name === 'wait' && value !== undefined && /^\d{1,9}$/.test(value)) preference.waitSeconds = Number(value);
  }
  return preference;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}
