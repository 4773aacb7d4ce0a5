import { describe, expect, it } from 'vitest';
import { codeFromPastedText } from './oneTimeCode.ts';

describe('codeFromPastedText', () => {
  it('takes the code out of a whole SMS', () => {
    expect(codeFromPastedText('【道路运政一网通办】您的验证码为 482913，5分钟内有效。')).toBe('482913');
  });
  it('keeps a bare code and drops spaces inside it', () => {
    expect(codeFromPastedText('482913')).toBe('482913');
    expect(codeFromPastedText('482 913')).toBe('482913');
  });
  it('does not take six digits out of a longer number', () => {
    expect(codeFromPastedText('13800000001')).toBe('138000');
  });
});
