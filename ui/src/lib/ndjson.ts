// Reads a streamed NDJSON answer (a long computation's progress lines) line by line, with the session's credentials.
import { ApiError, authHeaders, errorFromResponse, queryString } from './api';

/** GETs `path` and calls `onLine` with each JSON line as it arrives; aborting `signal` closes the stream (the server stops). */
export async function streamNdjson(
  path: string,
  query: Record<string, string | number | undefined>,
  signal: AbortSignal,
  onLine: (line: Record<string, unknown>) => void,
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(path + queryString(query), { headers: authHeaders(), signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'The server could not be reached. Check your connection and try again.');
  }
  if (!res.ok || !res.body) throw errorFromResponse(res.status, await res.text());
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const { done, value } = await reader.read();
    buffered += decoder.decode(value, { stream: !done });
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const text = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (text) onLine(JSON.parse(text) as Record<string, unknown>);
    }
    if (done) return;
  }
}
