import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DomainError } from './errors.ts';
import { BUSINESS_KEYS, DELIVERY_METHODS } from './businessKeys.ts';
import {
  ACTIONS,
  ACTORS,
  APPLICATION_STATES,
  STATE_LABELS,
  TERMINAL_STATES,
  TRANSITIONS,
  allowedActions,
  deriveState,
  nextState,
  validateActionInput,
  type ApplicationState,
} from './stateMachine.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof DomainError ? `${e.code}/${e.status}` : String(e);
  }
  return undefined;
}

describe('state machine table', () => {
  it('reaches every state from draft', () => {
    const seen = new Set<ApplicationState>(['draft']);
    const queue: ApplicationState[] = ['draft'];
    while (queue.length) {
      const s = queue.shift()!;
      for (const t of TRANSITIONS.filter((row) => row.from === s)) {
        if (!seen.has(t.to)) {
          seen.add(t.to);
          queue.push(t.to);
        }
      }
    }
    expect([...seen].sort()).toEqual([...APPLICATION_STATES].sort());
  });

  it('maps each (state, action) to one target whatever the business', () => {
    for (const s of APPLICATION_STATES) {
      for (const a of ACTIONS) {
        const targets = new Set(TRANSITIONS.filter((t) => t.from === s && t.action === a).map((t) => t.to));
        expect(targets.size, `${s}/${a}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('has no exits from terminal states', () => {
    for (const s of TERMINAL_STATES) {
      expect(TRANSITIONS.filter((t) => t.from === s)).toEqual([]);
      for (const actor of ACTORS) expect(allowedActions(s, actor)).toEqual([]);
    }
  });

  it('labels every state in both languages', () => {
    expect(STATE_LABELS.submitted.zh).toBe('待受理');
    expect(STATE_LABELS.returned.zh).toBe('退回补正');
    for (const s of APPLICATION_STATES) expect(STATE_LABELS[s].en.length).toBeGreaterThan(0);
  });
});

describe('nextState', () => {
  it('follows the happy path of a renewal mailed to the driver', () => {
    let s: ApplicationState = 'draft';
    s = nextState(s, 'submit', 'driver', 'renewal');
    s = nextState(s, 'accept', 'handler', 'renewal');
    s = nextState(s, 'approve', 'reviewer', 'renewal');
    expect(s).toBe('approved');
    expect(allowedActions(s, 'handler', { business: 'renewal', delivery: 'mail' })).toEqual(['mail']);
    expect(allowedActions(s, 'handler', { business: 'renewal', delivery: 'self_collect' })).toEqual(['ready_for_pickup', 'hand_over']);
    expect(nextState(s, 'mail', 'handler', 'renewal')).toBe('completed');
  });

  it('completes a credit assessment without fulfilment', () => {
    const s = deriveState(
      [
        { action: 'submit', actor: 'driver' },
        { action: 'accept', actor: 'handler' },
        { action: 'approve', actor: 'reviewer' },
        { action: 'complete', actor: 'system' },
      ],
      'credit_assessment',
    );
    expect(s).toBe('completed');
    expect(codeOf(() => nextState('approved', 'mail', 'handler', 'credit_assessment'))).toBe('ILLEGAL_TRANSITION/409');
    expect(codeOf(() => nextState('approved', 'complete', 'system', 'renewal'))).toBe('ILLEGAL_TRANSITION/409');
  });

  it('answers 409 for a transition that does not exist and 403 for the wrong role', () => {
    expect(codeOf(() => nextState('accepted', 'accept', 'handler'))).toBe('ILLEGAL_TRANSITION/409');
    expect(codeOf(() => nextState('accepted', 'withdraw', 'driver'))).toBe('ILLEGAL_TRANSITION/409');
    expect(codeOf(() => nextState('submitted', 'accept', 'driver'))).toBe('ACTION_NOT_ALLOWED_FOR_ROLE/403');
    expect(codeOf(() => nextState('accepted', 'approve', 'handler'))).toBe('ACTION_NOT_ALLOWED_FOR_ROLE/403');
    expect(codeOf(() => nextState('submitted', 'withdraw', 'handler'))).toBe('ACTION_NOT_ALLOWED_FOR_ROLE/403');
  });

  it('lets the driver withdraw only from submitted', () => {
    for (const s of APPLICATION_STATES) {
      const ok = codeOf(() => nextState(s, 'withdraw', 'driver')) === undefined;
      expect(ok, s).toBe(s === 'submitted');
    }
  });

  it('returns from submitted or accepted, and resubmission goes back to submitted', () => {
    expect(nextState('submitted', 'return', 'handler')).toBe('returned');
    expect(nextState('accepted', 'return', 'reviewer')).toBe('returned');
    expect(nextState('returned', 'resubmit', 'driver')).toBe('submitted');
    expect(allowedActions('returned', 'driver')).toEqual(['resubmit']);
  });

  it('only ever moves along table rows (random action sequences)', () => {
    const arb = fc.array(fc.tuple(fc.constantFrom(...ACTIONS), fc.constantFrom(...ACTORS)), { maxLength: 25 });
    fc.assert(
      fc.property(arb, fc.constantFrom(...BUSINESS_KEYS), fc.constantFrom(...DELIVERY_METHODS), (steps, business, delivery) => {
        let s: ApplicationState = 'draft';
        const log: { action: (typeof ACTIONS)[number]; actor: (typeof ACTORS)[number] }[] = [];
        for (const [action, actor] of steps) {
          const allowed = allowedActions(s, actor, { business, delivery });
          let next: ApplicationState | undefined;
          try {
            next = nextState(s, action, actor, { business, delivery });
          } catch (e) {
            expect(e).toBeInstanceOf(DomainError);
            expect(allowed).not.toContain(action);
            continue;
          }
          expect(allowed).toContain(action);
          expect(TRANSITIONS.some((t) => t.from === s && t.action === action && t.to === next && t.actors.includes(actor))).toBe(true);
          log.push({ action, actor });
          s = next;
        }
        expect(deriveState(log, { business, delivery })).toBe(s);
      }),
    );
  });
});

describe('deriveState', () => {
  it('starts from draft and rejects an impossible log', () => {
    expect(deriveState([])).toBe('draft');
    expect(deriveState([{ action: 'submit' }, { action: 'withdraw' }])).toBe('withdrawn');
    expect(codeOf(() => deriveState([{ action: 'submit' }, { action: 'withdraw' }, { action: 'accept' }]))).toBe('ILLEGAL_TRANSITION/409');
  });
});

describe('validateActionInput', () => {
  it('requires reasons where the table says so', () => {
    expect(codeOf(() => validateActionInput('return', 'renewal', {}))).toBe('REASON_REQUIRED/400');
    expect(codeOf(() => validateActionInput('decline', 'renewal', { reason: '  ' }))).toBe('REASON_REQUIRED/400');
    expect(codeOf(() => validateActionInput('return', 'renewal', { reasonCodes: ['material_unclear'] }))).toBeUndefined();
    expect(codeOf(() => validateActionInput('return', 'renewal', { reasonCodes: ['other'] }))).toBe('REASON_REQUIRED/400');
    expect(codeOf(() => validateActionInput('reject', 'renewal', { reasonCodes: ['nonsense'] }))).toBe('UNKNOWN_REASON_CODE/400');
    expect(codeOf(() => validateActionInput('accept', 'renewal', {}))).toBeUndefined();
  });

  it('requires a rating to approve a credit assessment and a tracking number to mail', () => {
    expect(codeOf(() => validateActionInput('approve', 'credit_assessment', {}))).toBe('RATING_REQUIRED/400');
    expect(codeOf(() => validateActionInput('approve', 'credit_assessment', { rating: 'AAAA' }))).toBe('RATING_REQUIRED/400');
    expect(codeOf(() => validateActionInput('approve', 'credit_assessment', { rating: 'AA' }))).toBeUndefined();
    expect(codeOf(() => validateActionInput('approve', 'renewal', {}))).toBeUndefined();
    expect(codeOf(() => validateActionInput('mail', 'renewal', {}))).toBe('TRACKING_NUMBER_REQUIRED/400');
    expect(codeOf(() => validateActionInput('mail', 'renewal', { trackingNumber: 'SF1234567890' }))).toBeUndefined();
  });
});
