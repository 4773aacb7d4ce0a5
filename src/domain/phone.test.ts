import { describe, expect, it } from 'vitest';
import { isMobile, isPhoneNumber, maskPhone, normalizeMobile, parseMobile } from './phone.ts';

describe('mobile numbers', () => {
  it('normalizes country prefixes, spaces and dashes', () => {
    expect(normalizeMobile('+86 138-0000-0001')).toBe('13800000001');
    expect(normalizeMobile('0086 13800000001')).toBe('13800000001');
    expect(normalizeMobile('8613800000001')).toBe('13800000001');
    expect(normalizeMobile(' 138 0000 0001 ')).toBe('13800000001');
  });

  it('accepts 1[3-9] followed by 9 digits only', () => {
    expect(isMobile('13800000001')).toBe(true);
    expect(isMobile('19912345678')).toBe(true);
    expect(isMobile('12800000001')).toBe(false);
    expect(isMobile('1380000000')).toBe(false);
    expect(isMobile('138000000012')).toBe(false);
    expect(parseMobile('+86 139 1234 5678')).toBe('13912345678');
    expect(parseMobile('010-12345678')).toBeNull();
  });

  it('accepts landlines for unit phones', () => {
    expect(isPhoneNumber('010-12345678')).toBe(true);
    expect(isPhoneNumber('0755 1234567')).toBe(true);
    expect(isPhoneNumber('01012345678-123')).toBe(true);
    expect(isPhoneNumber('400-123-4567')).toBe(true);
    expect(isPhoneNumber('13800000001')).toBe(true);
    expect(isPhoneNumber('12345')).toBe(false);
  });

  it('masks the middle four digits', () => {
    expect(maskPhone('13800000001')).toBe('138****0001');
    expect(maskPhone('+86 138 0000 0001')).toBe('138****0001');
  });
});
