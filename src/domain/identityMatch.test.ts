import { describe, expect, it } from 'vitest';
import { identityDifferences, idCardExpired, normalisePersonName, reviewReasons, sameHolderName } from './identityMatch.ts';

const read = { name: '韩志强', idNumber: '440106199001011234', sex: 'M' as const, birthDate: '1990-01-01' };

describe('what the photo showed against what was submitted', () => {
  it('finds nothing when the driver submits what was read confidently', () => {
    expect(identityDifferences({ fields: read, confidence: 0.95 }, read)).toEqual([]);
  });

  it('calls a changed field a correction against a confident reading', () => {
    const differences = identityDifferences({ fields: read, confidence: 0.95 }, { ...read, idNumber: '310104199205052345', sex: 'F', birthDate: '1992-05-05' });
    expect(differences.map((d) => [d.field, d.kind])).toEqual([
      ['idNumber', 'corrected'],
      ['sex', 'corrected'],
      ['birthDate', 'corrected'],
    ]);
    expect(differences[0]).toMatchObject({ read: read.idNumber, submitted: '310104199205052345' });
  });

  it('calls a typed field not read, and an unsure reading uncertain even when the driver kept it', () => {
    const differences = identityDifferences({ fields: { name: read.name, sex: 'M', birthDate: read.birthDate }, confidence: 0.95, fieldConfidence: { name: 0.4 } }, read);
    expect(differences.map((d) => [d.field, d.kind])).toEqual([
      ['name', 'uncertain'],
      ['idNumber', 'not_read'],
    ]);
  });

  it('is not fooled by full-width forms, look-alike dots, spaces or a lower-case x', () => {
    const minority = { ...read, name: '阿卜杜·热合曼', idNumber: '65010219880302135X' };
    expect(identityDifferences({ fields: minority, confidence: 0.9 }, { ...minority, name: '阿卜杜•热合 曼', idNumber: '６５０１０２１９８８０３０２１３５x' })).toEqual([]);
    expect(normalisePersonName('阿卜杜．热合曼')).toBe('阿卜杜·热合曼');
    expect(sameHolderName('阿卜杜・热合曼', '阿卜杜·热合曼')).toBe(true);
    expect(sameHolderName('谢雨欣', '韩志强')).toBe(false);
  });
});

describe('why a submission goes to review', () => {
  const clean = { differences: [], registryNames: ['韩志强'], name: '韩志强', boundElsewhere: false, identityCheck: 'match' as const, manualOnly: false };

  it('binds at once only when photo, registry and identity service agree', () => {
    expect(reviewReasons(clean)).toEqual([]);
    expect(reviewReasons({ ...clean, registryNames: [] })).toEqual([]);
  });

  it('lists every reason in a fixed order', () => {
    expect(
      reviewReasons({
        differences: [
          { field: 'idNumber', kind: 'corrected', read: 'a', submitted: 'b' },
          { field: 'name', kind: 'not_read', read: null, submitted: '谢雨欣' },
        ],
        registryNames: ['韩志强'],
        name: '谢雨欣',
        boundElsewhere: true,
        identityCheck: 'inconclusive',
        manualOnly: true,
      }),
    ).toEqual(['FIELDS_CORRECTED', 'FIELDS_NOT_READ', 'REGISTRY_NAME_MISMATCH', 'ID_BOUND_ELSEWHERE', 'IDENTITY_CHECK_INCONCLUSIVE', 'MANUAL_REVIEW_CONFIGURED']);
  });
});

describe('the back side’s validity', () => {
  it('treats 长期 as never expiring and the last day as still valid', () => {
    expect(idCardExpired('long-term', '2026-12-01')).toBe(false);
    expect(idCardExpired('2026-12-01', '2026-12-01')).toBe(false);
    expect(idCardExpired('2026-11-30', '2026-12-01')).toBe(true);
    expect(idCardExpired(undefined, '2026-12-01')).toBe(false);
  });
});
