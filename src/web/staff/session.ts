import { computed, shallowRef } from 'vue';
import { ApiError, staffApi, type StaffProfile } from '../shared/api.ts';

/** The signed-in staff member, or null. Loaded once from /staff/me, then kept by login and logout. */
export const staffProfile = shallowRef<StaffProfile | null>(null);
let known = false;

export const isAdmin = computed(() => staffProfile.value?.role === 'province_admin' || staffProfile.value?.role === 'system_admin');
export const isProvinceAdmin = computed(() => staffProfile.value?.role === 'province_admin');

/** Who is signed in, asking the server the first time (a 401 means nobody). */
export async function currentStaff(): Promise<StaffProfile | null> {
  if (known) return staffProfile.value;
  try {
    staffProfile.value = (await staffApi.me(undefined, { reportLoss: false })).staff;
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) throw error;
    staffProfile.value = null;
  }
  known = true;
  return staffProfile.value;
}

export function signedIn(profile: StaffProfile): void {
  staffProfile.value = profile;
  known = true;
}

export function signedOut(): void {
  staffProfile.value = null;
  known = true;
}
