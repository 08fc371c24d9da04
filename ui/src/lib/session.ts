// The signed-in session kept in sessionStorage: JWT, chosen workspace, and an optional API key for API-key-only routes.
const TOKEN = 'strata.token';
const WORKSPACE = 'strata.workspaceId';
const API_KEY = 'strata.apiKey';
const MINTED_KEY_ID = 'strata.mintedKeyId';

function read(key: string): string | null {
  try {
    return window.sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) window.sessionStorage.removeItem(key);
    else window.sessionStorage.setItem(key, value);
  } catch {
    // Storage disabled (private mode): the session lasts as long as the page.
  }
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
  clear: () => {
    write(TOKEN, null);
    write(WORKSPACE, null);
    write(API_KEY, null);
    write(MINTED_KEY_ID, null);
  },
};
