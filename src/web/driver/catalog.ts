import { api, businessPath, type BusinessEntry, type BusinessesResponse } from '../shared/api.ts';

let pending: Promise<BusinessesResponse> | undefined;

/** The business catalog, fetched once per page load (a failed fetch is tried again next time). */
export function loadBusinesses(): Promise<BusinessesResponse> {
  pending ??= api.businesses().catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

export interface BusinessLook {
  icon: string;
  /** Icon tint and its pale background. */
  color: string;
  background: string;
}

const looks: Record<string, BusinessLook> = {
  credit_assessment: { icon: 'medal-o', color: '#1764d8', background: '#e8f1ff' },
  renewal: { icon: 'exchange', color: '#0f9d76', background: '#e3f6ef' },
  replacement: { icon: 'description', color: '#e07b12', background: '#fdf1e3' },
  'change/service_unit': { icon: 'shop-o', color: '#6a4fd8', background: '#efebfd' },
  'change/certificate_info': { icon: 'edit', color: '#2b8fd6', background: '#e5f3fc' },
  cancellation: { icon: 'close', color: '#d9453b', background: '#fdebea' },
};

const fallbackLook: BusinessLook = { icon: 'apps-o', color: '#1764d8', background: '#e8f1ff' };

export function businessLook(entry: Pick<BusinessEntry, 'key' | 'variant'>): BusinessLook {
  return looks[businessPath(entry)] ?? looks[entry.key] ?? fallbackLook;
}
