// Loads API data for a view: loading, ok or error, refetched when its key changes and
// cancelled when the view goes away or the key changes before the answer.

import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from './api-client.ts';

export type ApiState<T> =
  | { status: 'loading'; data: T | null }
  | { status: 'ok'; data: T }
  | { status: 'error'; error: ApiError; data: T | null };

export function useApi<T>(key: string, load: (signal: AbortSignal) => Promise<T>): ApiState<T> & { reload: () => void } {
  const [state, setState] = useState<ApiState<T>>({ status: 'loading', data: null });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ status: 'loading', data: s.data }));
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ status: 'ok', data });
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        setState((s) => ({ status: 'error', error: asApiError(err), data: s.data }));
      },
    );
    return () => controller.abort();
    // `load` is rebuilt every render; `key` names what it loads, so only key changes refetch.
  }, [key, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}

export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(0, 'CLIENT', err instanceof Error ? err.message : String(err));
}
