/**
 * Drivers' credit assessment (《道路运输驾驶员诚信考核办法》): a 12-month cycle counted from the first
 * issue date, penalty points for violations within the cycle, and a grade for the cycle.
 */

import type { Localized } from './errors.ts';
import { DomainError } from './errors.ts';
import { addDays, addMonths, compareDates } from './dates.ts';

export interface AssessmentCycle {
  /** 0 for the first 12 months after first issue. */
  index: number;
  start: string;
  /** Last day of the cycle (inclusive). */
  end: string;
}

function cycleAt(firstIssueDate: string, index: number): AssessmentCycle {
  // Always counted from the first issue date itself, so a 29 February or 31st never drifts.
  return {
    index,
    start: addMonths(firstIssueDate, 12 * index),
    end: addDays(addMonths(firstIssueDate, 12 * (index + 1)), -1),
  };
}

/** The 12-month cycle, counted from the first issue date, that contains `today`. */
export function assessmentCycle(firstIssueDate: string, today: string): AssessmentCycle {
  if (compareDates(today, firstIssueDate) < 0) {
    throw new DomainError(
      'CYCLE_BEFORE_FIRST_ISSUE',
      { zh: '日期早于从业资格证初次领证日期', en: 'The date is before the certificate was first issued' },
      { details: { firstIssueDate, today } },
    );
  }
  let index = Math.max(0, Number(today.slice(0, 4)) - Number(firstIssueDate.slice(0, 4)) - 1);
  while (compareDates(cycleAt(firstIssueDate, index + 1).start, today) <= 0) index++;
  return cycleAt(firstIssueDate, index);
}

/** The cycle before the one containing `today`, or null while still in the first cycle. */
export function previousCycle(firstIssueDate: string, today: string): AssessmentCycle | null {
  const current = assessmentCycle(firstIssueDate, today);
  return current.index === 0 ? null : cycleAt(firstIssueDate, current.index - 1);
}

export const CREDIT_GRADES = ['AAA', 'AA', 'A', 'B'] as const;
export type CreditGrade = (typeof CREDIT_GRADES)[number];

export const CREDIT_GRADE_LABELS: Record<CreditGrade, Localized> = {
  AAA: { zh: '优良', en: 'Excellent' },
  AA: { zh: '合格', en: 'Qualified' },
  A: { zh: '基本合格', en: 'Basically qualified' },
  B: { zh: '不合格', en: 'Unqualified' },
};

export function isCreditGrade(value: unknown): value is CreditGrade {
  return typeof value === 'string' && (CREDIT_GRADES as readonly string[]).includes(value);
}

/** Penalty points one violation can carry. */
export const VIOLATION_POINT_VALUES = [1, 3, 5, 10, 20] as const;
/** Points per cycle at which a driver is graded B. */
export const CYCLE_POINT_LIMIT = 20;
/** Continuing education: at least 24 class-hours every 2 years. */
export const CONTINUING_EDUCATION_HOURS_PER_TWO_YEARS = 24;

/**
 * Highest penalty-point total (inclusive) for each grade; anything above `A` is B.
 * Not confirmed against an official text: keep them configurable per deployment.
 */
export interface GradeThresholds {
  AAA: number;
  AA: number;
  A: number;
}

export const DEFAULT_GRADE_THRESHOLDS: GradeThresholds = { AAA: 0, AA: 10, A: 19 };

export function gradeForPenaltyPoints(points: number, thresholds: GradeThresholds = DEFAULT_GRADE_THRESHOLDS): CreditGrade {
  if (!Number.isInteger(points) || points < 0) {
    throw new DomainError('INVALID_PENALTY_POINTS', { zh: '扣分应为非负整数', en: 'Penalty points must be a non-negative whole number' }, { status: 400 });
  }
  if (!(thresholds.AAA <= thresholds.AA && thresholds.AA <= thresholds.A)) {
    throw new DomainError('INVALID_GRADE_THRESHOLDS', { zh: '考核等级分数线设置有误', en: 'The grade thresholds are not in ascending order' }, { status: 500 });
  }
  if (points <= thresholds.AAA) return 'AAA';
  if (points <= thresholds.AA) return 'AA';
  if (points <= thresholds.A) return 'A';
  return 'B';
}

/** Total points of a cycle's violations (each must be one of the allowed values). */
export function totalPenaltyPoints(violationPoints: readonly number[]): number {
  for (const p of violationPoints) {
    if (!(VIOLATION_POINT_VALUES as readonly number[]).includes(p)) {
      throw new DomainError(
        'INVALID_VIOLATION_POINTS',
        { zh: `单次违法行为扣分只能是${VIOLATION_POINT_VALUES.join('、')}分`, en: `A single violation carries ${VIOLATION_POINT_VALUES.join(', ')} points` },
        { status: 400, details: { points: p } },
      );
    }
  }
  return violationPoints.reduce((a, b) => a + b, 0);
}
