// The signed-in session kept in sessionStorage: JWT, chosen workspace, and an optional API key for API-key-only routes.
const TOKEN = 'strata.token';
const WORKSPACE = 'strata.workspaceId';
const API_KEY = 'strata.apiKey';

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
  clear: () => {
    write(TOKEN, null);
    write(WORKSPACE, null);
    write(API_KEY, null);
  },
};
