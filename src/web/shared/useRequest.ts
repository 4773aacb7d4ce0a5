import { onBeforeUnmount, shallowRef } from 'vue';
import { ApiError } from './api.ts';

/**
 * Loads data for a page: `loading` while it runs, `error` (an ApiError) when it fails,
 * `reload()` to try again. A newer load or leaving the page cancels the running one.
 */
export function useRequest<T>(load: (signal: AbortSignal) => Promise<T>, options: { immediate?: boolean } = {}) {
  const data = shallowRef<T>();
  const error = shallowRef<ApiError>();
  const loading = shallowRef(false);
  let controller: AbortController | undefined;

  async function reload(): Promise<void> {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    loading.value = true;
    error.value = undefined;
    try {
      data.value = await load(current.signal);
    } catch (cause) {
      if (current.signal.aborted) return;
      error.value =
        cause instanceof ApiError ? cause : new ApiError('CLIENT_ERROR', 0, cause instanceof Error ? cause.message : String(cause));
    } finally {
      if (controller === current) loading.value = false;
    }
  }

  onBeforeUnmount(() => controller?.abort());
  if (options.immediate !== false) void reload();
  return { data, error, loading, reload };
}
