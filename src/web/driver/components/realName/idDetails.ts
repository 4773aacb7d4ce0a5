/** The fields of the real-name form, in the order the card prints them. */
export type FieldKey = 'name' | 'sex' | 'ethnicity' | 'birthDate' | 'address' | 'idNumber';
export const FIELD_KEYS: FieldKey[] = ['name', 'sex', 'ethnicity', 'birthDate', 'address', 'idNumber'];
export type IdDetails = Record<FieldKey, string>;

/** Where a real-name submission stands, as the outcome card shows it. */
export type OutcomeKind = 'already' | 'done' | 'pending' | 'rejected' | 'failed' | 'face';
