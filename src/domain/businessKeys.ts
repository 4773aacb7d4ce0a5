/** The services (服务事项) a driver can apply for. Kept apart so the state machine and the catalog share it. */

export const BUSINESS_KEYS = ['credit_assessment', 'renewal', 'replacement', 'change', 'cancellation'] as const;
export type BusinessKey = (typeof BUSINESS_KEYS)[number];

export const CHANGE_VARIANTS = ['service_unit', 'certificate_info'] as const;
export type ChangeVariant = (typeof CHANGE_VARIANTS)[number];

/** Variant of a business; 'default' for businesses that have only one form. */
export type BusinessVariant = ChangeVariant | 'default';

/** Businesses whose approval produces a (new or updated) card that must be mailed or collected. */
export const CARD_ISSUING_BUSINESSES: readonly BusinessKey[] = ['renewal', 'replacement', 'change'];

export function isBusinessKey(value: unknown): value is BusinessKey {
  return typeof value === 'string' && (BUSINESS_KEYS as readonly string[]).includes(value);
}

export function businessIssuesCard(business: BusinessKey): boolean {
  return CARD_ISSUING_BUSINESSES.includes(business);
}

export const DELIVERY_METHODS = ['self_collect', 'mail'] as const;
export type DeliveryMethod = (typeof DELIVERY_METHODS)[number];
