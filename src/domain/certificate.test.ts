import { describe, expect, it } from 'vitest';
import {
  categoriesOverAgeLimit,
  categoryStatus,
  certificateStatus,
  certificateStatusDetail,
  renewalClosesOn,
  renewalOpensOn,
  renewalWindowOpen,
  validityEnd,
  type Certificate,
  type CertificateCategory,
} from './certificate.ts';

const cat = (validTo: string, extra: Partial<CertificateCategory> = {}): CertificateCategory => ({
  code: 'freight_driver',
  firstIssueDate: '2014-06-01',
  validFrom: '2020-06-01',
  validTo,
  ...extra,
});

const cert = (categories: CertificateCategory[]): Pick<Certificate, 'categories'> => ({ categories });

describe('validity', () => {
  it('lasts six years, ending the day before the sixth anniversary', () => {
    expect(validityEnd('2020-06-01')).toBe('2026-05-31');
    expect(validityEnd('2020-02-29')).toBe('2026-02-27');
    expect(validityEnd('2021-01-01')).toBe('2026-12-31');
  });
});

describe('categoryStatus', () => {
  const validTo = '2026-05-31';
  it('is valid up to and including the valid-to day', () => {
    expect(categoryStatus(cat(validTo), '2026-05-31')).toBe('valid');
  });
  it('is in grace from the day after expiry to exactly 180 days after', () => {
    expect(categoryStatus(cat(validTo), '2026-06-01')).toBe('grace');
    expect(renewalClosesOn({ validTo })).toBe('2026-11-27');
    expect(categoryStatus(cat(validTo), '2026-11-27')).toBe('grace');
    expect(categoryStatus(cat(validTo), '2026-11-28')).toBe('expired');
  });
  it('is cancelled once cancelled, whatever the dates', () => {
    expect(categoryStatus(cat(validTo, { cancelledAt: '2025-01-01', cancelReason: 'holder_request' }), '2025-06-01')).toBe('cancelled');
  });
});

describe('renewal window', () => {
  const validTo = '2026-05-31';
  it('opens exactly 30 days before expiry and closes 180 days after', () => {
    expect(renewalOpensOn({ validTo })).toBe('2026-05-01');
    expect(renewalWindowOpen(cert([cat(validTo)]), '2026-04-30')).toBe(false);
    expect(renewalWindowOpen(cert([cat(validTo)]), '2026-05-01')).toBe(true);
    expect(renewalWindowOpen(cert([cat(validTo)]), '2026-11-27')).toBe(true);
    expect(renewalWindowOpen(cert([cat(validTo)]), '2026-11-28')).toBe(false);
  });
  it('is closed for cancelled categories', () => {
    expect(renewalWindowOpen(cert([cat(validTo, { cancelledAt: '2026-05-10' })]), '2026-05-20')).toBe(false);
  });
});

describe('certificateStatus', () => {
  it('takes the best category: usable while any category is valid', () => {
    const c = cert([cat('2025-01-01'), cat('2027-01-01', { code: 'dg_driver' })]);
    expect(certificateStatus(c, '2026-01-01')).toBe('valid');
  });
  it('is cancelled only when every category is, or none exist', () => {
    expect(certificateStatus(cert([cat('2027-01-01', { cancelledAt: '2025-01-01' })]), '2026-01-01')).toBe('cancelled');
    expect(certificateStatus(cert([]), '2026-01-01')).toBe('cancelled');
    expect(certificateStatus(cert([cat('2020-01-01'), cat('2027-01-01', { cancelledAt: '2025-01-01' })]), '2026-01-01')).toBe('expired');
  });
  it('explains itself in both languages', () => {
    const grace = certificateStatusDetail(cert([cat('2026-01-10')]), '2026-02-01');
    expect(grace.status).toBe('grace');
    expect(grace.reason.zh).toContain('2026-07-09');
    expect(grace.reason.en).toContain('renewal');
    expect(grace.renewalWindowOpen).toBe(true);
    expect(grace.expiresOn).toBe('2026-01-10');
    expect(grace.categories[0]).toMatchObject({ code: 'freight_driver', daysToExpiry: -22, label: { zh: '经营性道路货物运输驾驶员' } });

    const soon = certificateStatusDetail(cert([cat('2026-03-01')]), '2026-02-01');
    expect(soon.reason.zh).toContain('可以申请换证');

    const cancelled = certificateStatusDetail(cert([cat('2027-01-01', { cancelledAt: '2025-03-01', cancelReason: 'death' })]), '2026-01-01');
    expect(cancelled.reason.zh).toBe('已于2025-03-01注销（持证人死亡）');
    expect(cancelled.label.zh).toBe('已注销');
    expect(cancelled.expiresOn).toBeNull();
  });
});

describe('categoriesOverAgeLimit', () => {
  it('lists categories whose 60-year limit the holder has reached, never taxi ones', () => {
    const c = { birthDate: '1966-03-01', categories: [cat('2027-01-01'), cat('2027-01-01', { code: 'taxi_cruising' }), cat('2027-01-01', { code: 'dg_loader', cancelledAt: '2025-01-01' })] };
    expect(categoriesOverAgeLimit(c, '2026-02-28')).toEqual([]);
    expect(categoriesOverAgeLimit(c, '2026-03-01')).toEqual(['freight_driver']);
  });
});
