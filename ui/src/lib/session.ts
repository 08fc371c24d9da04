// The signed-in session kept in localStorage, so it survives a new tab: JWT, chosen workspace, and an optional API key.
// Every tab shares it; signing out (or a refused credential) clears it, and the other tabs hear that through the
// `storage` event (see onSessionChange) and show the sign-in page too.
const TOKEN = 'strata.token';
const WORKSPACE = 'strata.workspaceId';
const API_KEY = 'strata.apiKey';
const MINTED_KEY_ID = 'strata.mintedKeyId';
const KEYS = [TOKEN, WORKSPACE, API_KEY, MINTED_KEY_ID];
const NOTICE = 'strata.signedOutNotice';

function read(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch {
    // Storage disabled (private mode): the session lasts as long as the page.
  }
}

/** Seconds-since-epoch `exp` of a JWT, or null when it has none or is not a JWT. */
export function jwtExpiry(token: string): number | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
    return typeof json.exp === 'number' ? json.exp : null;
  } catch {
    return null;
  }
}

/** True when the token's `exp` has passed (a token without one is not known to be expired). */
export function isExpired(token: string, nowMs = Date.now()): boolean {
  const exp = jwtExpiry(token);
  return exp !== null && exp * 1000 <= nowMs;
}

export const session = {
  token: () => read(TOKEN),
  setToken: (t: string | null) => write(TOKEN, t),
  workspaceId: (): number | null => {
    const v = Number(read(WORKSPACE));
    return Number.isInteger(v) && v > 0 ? v : null;
  },
  setWorkspaceId: (id: number | null) => write(WORKSPACE, id === null ? null : String(id)),
  apiKey: () => read(API_KEY),
  setApiKey: (k: string | null) => write(API_KEY, k),
  /** Id of the API key this UI session created for itself (revoked at sign-out), if any. */
  mintedKeyId: (): number | null => {
    const v = Number(read(MINTED_KEY_ID));
    return Number.isInteger(v) && v > 0 ? v : null;
  },
  setMintedKeyId: (id: number | null) => write(MINTED_KEY_ID, id === null ? null : String(id)),
  clear: () => KEYS.forEach((k) => write(k, null)),
  /** Why this tab was signed out (kept per tab, so a reload of the sign-in page still says it). */
  signedOutNotice: (): string | null => {
    try {
      return window.sessionStorage.getItem(NOTICE);
    } catch {
      return null;
    }
  },
  setSignedOutNotice: (notice: string | null) => {
    try {
      if (notice === null) window.sessionStorage.removeItem(NOTICE);
      else window.sessionStorage.setItem(NOTICE, notice);
    } catch {
      // Storage disabled: the notice lasts as long as the page.
    }
  },
};

/** Calls `fn` when another tab changes the session's credentials (signs in or out); returns the unsubscribe. */
export function onSessionChange(fn: () => void): () => void {
  const listener = (e: StorageEvent) => {
    if (e.key === null || e.key === TOKEN || e.key === API_KEY) fn();
  };
  window.addEventListener('storage', listener);
  return () => window.removeEventListener('storage', listener);
}
