// Loads data for a page: loading / error / data, reload, and optional polling while a condition holds.
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export function useApi<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: unknown[],
  opts: { pollMs?: number; pollWhile?: (data: T) => boolean } = {},
): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const optsRef = useRef(opts);
  optsRef.current = opts;

  useEffect(() => {
    const ctl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    setLoading(true);
    loadRef
      .current(ctl.signal)
      .then((d) => {
        if (ctl.signal.aborted) return;
        setData(d);
        setError(undefined);
        setLoading(false);
        const { pollMs, pollWhile } = optsRef.current;
        if (pollMs && pollWhile?.(d)) timer = setTimeout(() => setTick((t) => t + 1), pollMs);
      })
      .catch((e: unknown) => {
        if (ctl.signal.aborted) return;
        setError(e);
        setLoading(false);
      });
    return () => {
      ctl.abort();
      if (timer) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading: loading && data === undefined, reload };
}
