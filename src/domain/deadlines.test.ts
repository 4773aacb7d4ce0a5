import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from './calendar.ts';
import { computeDeadlines, deadlineStatus } from './deadlines.ts';

const cal = createWorkingCalendar();
// Times in China (UTC+8): Monday 3 November 2025 onwards has no holidays.
const at = (day: string, time = '10:00') => `${day}T${time}:00+08:00`;

describe('computeDeadlines', () => {
  it('has no clock before submission', () => {
    expect(computeDeadlines([], cal)).toEqual({ accept: null, decide: null, current: null });
  });

  it('gives 2 working days to accept, counted on China dates', () => {
    // 23:30 in China on Friday 7 Nov is still Friday there, though already Saturday 00:30 in Tokyo.
    const d = computeDeadlines([{ action: 'submit', at: at('2025-11-07', '23:30') }], cal);
    expect(d.accept).toMatchObject({ startedOn: '2025-11-07', deadline: '2025-11-11', paused: false, metOn: null });
    expect(d.current).toBe('accept');
  });

  it('crosses a holiday: submitted the day before National Day 2025', () => {
    const d = computeDeadlines([{ action: 'submit', at: at('2025-09-30') }], cal);
    expect(d.accept?.deadline).toBe('2025-10-10');
  });

  it('gives 3 working days to decide after acceptance and stops when decided', () => {
    const log = [
      { action: 'submit' as const, at: at('2025-11-03') },
      { action: 'accept' as const, at: at('2025-11-04') },
    ];
    const running = computeDeadlines(log, cal);
    expect(running.accept?.metOn).toBe('2025-11-04');
    expect(running.decide).toMatchObject({ startedOn: '2025-11-04', deadline: '2025-11-07' });
    expect(running.current).toBe('decide');
    const done = computeDeadlines([...log, { action: 'approve', at: at('2025-11-06') }], cal);
    expect(done.decide?.metOn).toBe('2025-11-06');
    expect(done.current).toBeNull();
  });

  it('pauses the clock while returned and shifts the deadline', () => {
    const log = [
      { action: 'submit' as const, at: at('2025-11-03') },
      { action: 'return' as const, at: at('2025-11-04') },
    ];
    expect(computeDeadlines(log, cal).accept).toMatchObject({ deadline: null, paused: true });
    const resumed = computeDeadlines([...log, { action: 'resubmit', at: at('2025-11-06') }], cal);
    expect(resumed.accept).toMatchObject({ deadline: '2025-11-07', paused: false });
  });

  it('keeps the decision clock for a return after acceptance, through re-acceptance', () => {
    const d = computeDeadlines(
      [
        { action: 'submit', at: at('2025-11-03') },
        { action: 'accept', at: at('2025-11-03') },
        { action: 'return', at: at('2025-11-04') },
        { action: 'resubmit', at: at('2025-11-10') },
        { action: 'accept', at: at('2025-11-10') },
      ],
      cal,
    );
    // Decision: 1 day used (4th), paused until 10th, 2 left → 12th.
    expect(d.decide).toMatchObject({ startedOn: '2025-11-03', deadline: '2025-11-12' });
    expect(d.accept?.metOn).toBe('2025-11-03');
  });

  it('has no running clock after withdrawal or decline', () => {
    expect(computeDeadlines([{ action: 'submit', at: at('2025-11-03') }, { action: 'withdraw', at: at('2025-11-03') }], cal).current).toBeNull();
  });
});

describe('deadlineStatus', () => {
  const d = { deadline: '2025-11-07', paused: false };
  it('shows on time, due today, overdue and paused', () => {
    expect(deadlineStatus(d, '2025-11-05', cal)).toEqual({ status: 'on_time', deadline: '2025-11-07', remainingWorkingDays: 2 });
    expect(deadlineStatus(d, '2025-11-07', cal)).toEqual({ status: 'due_today', deadline: '2025-11-07', remainingWorkingDays: 0 });
    expect(deadlineStatus(d, '2025-11-10', cal)).toEqual({ status: 'overdue', deadline: '2025-11-07', remainingWorkingDays: -1 });
    expect(deadlineStatus({ deadline: null, paused: true }, '2025-11-10', cal).status).toBe('paused');
  });
});
