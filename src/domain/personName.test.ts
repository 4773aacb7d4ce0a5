import { describe, expect, it } from 'vitest';
import { maskName } from './personName.ts';

describe('maskName', () => {
  it('keeps the surname of a two-character name', () => {
    expect(maskName('张三')).toBe('张*');
  });
  it('keeps the first and last character of longer names', () => {
    expect(maskName('王建国')).toBe('王*国');
    expect(maskName('阿卜杜·热合曼')).toBe('阿*****曼');
  });
  it('masks characters outside the basic plane as one character each', () => {
    expect(maskName('𠮷野家')).toBe('𠮷*家');
  });
  it('leaves a one-character or empty name as it is', () => {
    expect(maskName('李')).toBe('李');
    expect(maskName('')).toBe('');
  });
});
