import { describe, expect, it } from 'vitest';
import { CATEGORIES, categoryLabel, getCategory, isCreditAssessedCategory } from './categories.ts';
import { QUASI_DRIVING_TYPES, QUASI_DRIVING_TYPE_LABELS, isQuasiDrivingType } from './quasiDriving.ts';

describe('categories', () => {
  it('holds the five categories of the 2022 rule and the two taxi certificates with unique codes', () => {
    expect(CATEGORIES).toHaveLength(7);
    expect(new Set(CATEGORIES.map((c) => c.code)).size).toBe(7);
    expect(CATEGORIES.filter((c) => c.group !== 'taxi')).toHaveLength(5);
    expect(getCategory('dg_escort')?.zh).toBe('道路危险货物运输押运人员');
  });

  it('applies the 60-year age limit to drivers and dangerous-goods staff only', () => {
    expect(getCategory('passenger_driver')?.retirementAge).toBe(60);
    expect(getCategory('dg_loader')?.retirementAge).toBe(60);
    expect(getCategory('taxi_cruising')?.retirementAge).toBeNull();
  });

  it('labels with qualifiers', () => {
    expect(categoryLabel('dg_driver', ['explosives', 'highly_toxic'])).toBe('道路危险货物运输驾驶员（爆炸品、剧毒化学品）');
    expect(categoryLabel('dg_driver', ['radioactive'], 'en')).toBe('Dangerous goods road transport driver (radioactive material)');
    expect(categoryLabel('freight_driver')).toBe('经营性道路货物运输驾驶员');
  });

  it('subjects road transport drivers to the credit assessment, not loaders, escorts or taxis', () => {
    expect(CATEGORIES.filter((c) => isCreditAssessedCategory(c.code)).map((c) => c.code)).toEqual(['passenger_driver', 'freight_driver', 'dg_driver']);
  });
});

describe('quasi-driving types', () => {
  it('lists the 17 licence classes with Chinese descriptions', () => {
    expect(QUASI_DRIVING_TYPES).toHaveLength(17);
    for (const t of QUASI_DRIVING_TYPES) expect(QUASI_DRIVING_TYPE_LABELS[t].zh.length).toBeGreaterThan(1);
    expect(isQuasiDrivingType('B2')).toBe(true);
    expect(isQuasiDrivingType('B3')).toBe(false);
  });
});
