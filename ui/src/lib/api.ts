// The HTTP client of the UI: credentials on every call, errors a person can read, 404 "route missing" detection, upload progress.
import { session } from './session';
import {
  fillPath,
  type BodyOf,
  type HttpMethod,
  type PathParamsOf,
  type PathWith,
  type QueryOf,
  type ResponseOf,
} from './api-schema';

/** Which credentials a call prefers: the JWT, or the pasted API key for routes that accept API keys only. */
export type AuthPreference = 'jwt' | 'api_key';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The server has no such route (an API not deployed on this server yet). */
    readonly notAvailable = false,
    /** The route refuses JWTs: an API key is needed. */
    readonly apiKeyOnly = false,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Turns a non-2xx response body into an ApiError with the server's message. */
export function errorFromResponse(status: number, bodyText: string): ApiError {
  let message = '';
  try {
    const body = JSON.parse(bodyText) as { error?: unknown; message?: unknown; detail?: unknown };
    if (typeof body.error === 'string') message = body.error;
    else if (typeof body.message === 'string') message = body.message;
    else if (typeof body.detail === 'string') message = body.detail;
    else if (Array.isArray(body.detail))
      message = body.detail
        .map((d: { msg?: string; loc?: unknown[] }) => `${(d.loc ?? []).slice(1).join('.')}: ${d.msg ?? ''}`)
        .join('; ');
  } catch {
    message = bodyText.slice(0, 300);
  }
  const notAvailable = status === 404 && /^no route for /i.test(message);
  const apiKeyOnly = status === 401 && /api key authentication only/i.test(message);
  if (!message) message = status === 0 ? 'the server could not be reached' : `request failed with HTTP ${status}`;
  if (notAvailable) message = 'This feature is not available on this server (its API is not installed).';
  return new ApiError(status, message, notAvailable, apiKeyOnly);
}

let onSignedOut: ((notice: string) => void) | undefined;
/** Called when the session's credential is refused (JWT expired, API key revoked), so the app can show the sign-in page. */
export function setSignedOutHandler(fn: (notice: string) => void): void {
  onSignedOut = fn;
}

export function authHeaders(prefer: AuthPreference = 'jwt'): Record<string, string> {
  const headers: Record<string, string> = {};
  const key = session.apiKey();
  const token = session.token();
  if (prefer === 'api_key' && key) headers['X-API-KEY'] = key;
  else if (token) headers.Authorization = `Bearer ${token}`;
  else if (key) headers['X-API-KEY'] = key;
  const ws = session.workspaceId();
  if (ws !== null && headers.Authorization) headers['X-Workspace-Id'] = String(ws);
  return headers;
}

export function queryString(query: Record<string, string | number | boolean | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** Which credential a call carried: the JWT, an API key, or none. */
type UsedCredential = 'jwt' | 'api_key' | 'none';

function credentialOf(headers: Record<string, string>): UsedCredential {
  if (headers.Authorization) return 'jwt';
  return headers['X-API-KEY'] ? 'api_key' : 'none';
}

function handleFailure(err: ApiError, used: UsedCredential): ApiError {
  if (err.status !== 401 || err.apiKeyOnly) return err;
  if (used === 'jwt') {
    session.setToken(null);
    onSignedOut?.('Your session has expired. Sign in again.');
  } else if (used === 'api_key') {
    session.setApiKey(null);
    // Signed in with the key itself: without it there is no session. Otherwise the key was one pasted for an
    // API-key-only route; forgetting it makes the UI ask again.
    if (session.token() === null) onSignedOut?.('The API key was refused (revoked or not valid). Sign in again.');
  }
  return err;
}

type QueryValues = Record<string, string | number | boolean | undefined | null>;

interface TransportOptions {
  auth?: AuthPreference;
  signal?: AbortSignal;
  /** A refused credential is the caller's to report (the sign-in page checking a key), not a lost session. */
  checkingCredential?: boolean;
}

/** The untyped transport under `call`: JSON in and out, the session's credentials, errors as ApiError. */
async function api<T>(
  method: string,
  path: string,
  opts: TransportOptions & { body?: unknown; query?: QueryValues } = {},
): Promise<T> {
  const headers = authHeaders(opts.auth);
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path + queryString(opts.query ?? {}), {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'The server could not be reached. Check your connection and try again.');
  }
  const text = await res.text();
  if (!res.ok) {
    const err = errorFromResponse(res.status, text);
    throw opts.checkingCredential ? err : handleFailure(err, credentialOf(headers));
  }
  return (text ? JSON.parse(text) : {}) as T;
}

/** Options of a typed call: path parameters, query and body exactly as the route's OpenAPI schema declares them. */
export type CallOptions<P extends PathWith<M>, M extends HttpMethod> = TransportOptions &
  ([PathParamsOf<P, M>] extends [never] ? { path?: undefined } : { path: PathParamsOf<P, M> }) &
  ([QueryOf<P, M>] extends [never] ? { query?: undefined } : { query?: QueryOf<P, M> }) &
  ([BodyOf<P, M>] extends [never] ? { body?: undefined } : { body: BodyOf<P, M> });

/**
 * Calls a documented route: `call('GET', '/api/public/v2/datasets/{id}', { path: { id } })`. The path, the options and
 * the reply are typed from the generated OpenAPI types, so a field the server does not declare does not compile.
 */
export function call<M extends HttpMethod, P extends PathWith<M>>(
  method: M,
  path: P,
  ...[opts]: object extends CallOptions<P, M> ? [opts?: CallOptions<P, M>] : [opts: CallOptions<P, M>]
): Promise<ResponseOf<P, M>> {
  const {
    path: params,
    query,
    ...rest
  } = (opts ?? {}) as TransportOptions & {
    path?: Record<string, string | number>;
    query?: object;
    body?: unknown;
  };
  return api<ResponseOf<P, M>>(method, fillPath(path, params), { ...rest, query: query as QueryValues | undefined });
}

/** POST with upload progress (fetch cannot report it): onProgress receives 0..1 of the request body sent. */
export function postWithProgress<P extends PathWith<'POST'>>(
  path: P,
  bodyText: string,
  onProgress: (fraction: number) => void,
  auth: AuthPreference = 'jwt',
): Promise<ResponseOf<P, 'POST'>> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    const headers = authHeaders(auth);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader('Content-Type', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve((xhr.responseText ? JSON.parse(xhr.responseText) : {}) as ResponseOf<P, 'POST'>);
      } else reject(handleFailure(errorFromResponse(xhr.status, xhr.responseText), credentialOf(headers)));
    };
    xhr.onerror = () => reject(new ApiError(0, 'The upload was interrupted: the server could not be reached.'));
    xhr.send(bodyText);
  });
}
