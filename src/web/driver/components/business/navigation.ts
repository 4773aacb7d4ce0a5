import type { RouteLocationNormalizedLoaded, Router } from 'vue-router';
import type { ApiError } from '../../../shared/api.ts';

/**
 * Sends the driver where an auth error says they must go first: to the login (and back here after)
 * or to real-name verification. Returns true when it did.
 */
export function redirectForAuth(error: ApiError | undefined, router: Router, route: RouteLocationNormalizedLoaded): boolean {
  if (!error) return false;
  if (error.status === 401) {
    void router.replace({ path: '/login', query: { redirect: route.fullPath } });
    return true;
  }
  if (error.status === 403 && error.code === 'REAL_NAME_REQUIRED') {
    void router.replace({ path: '/real-name', query: { redirect: route.fullPath, reason: 'verify' } });
    return true;
  }
  return false;
}

/** Where a business's flow lives: `/business/change/service_unit`. */
export function businessFlowPath(business: string, variant: string | null | undefined): string {
  return variant ? `/business/${business}/${variant}` : `/business/${business}`;
}
