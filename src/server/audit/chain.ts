/**
 * Checkpoints and verification of the audit chain (domain/auditChain.ts).
 *
 * A checkpoint is the head of the chain (last row id and hash) signed with the service's active SM2
 * key, written daily and when the server stops. Rewriting rows and recomputing every hash after them
 * needs no secret; making the signed checkpoints agree again does.
 */
import { asc, desc, gt, isNotNull, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { checkLink, checkpointMessage, type ChainBreak } from '../../domain/auditChain.ts';
import { chinaDate } from '../../domain/dates.ts';
import type { TrustedKey } from '../../domain/trustList.ts';
import { sm2Sign, sm2Verify } from '../../domain/voucherToken.ts';
import type { Executor } from '../db/client.ts';
import { auditCheckpoints, auditLog, signingKeys } from '../db/schema.ts';
import type { SecretBox } from '../secrets/secretBox.ts';
import { activeSigningKey } from '../vouchers/keyStore.ts';
import { AUDIT_CHAIN_LOCK } from './log.ts';

export type CheckpointReason = 'daily' | 'shutdown' | 'manual';

export const CHECKPOINT_INTERVAL_MS = 24 * 60 * 60 * 1000;

export interface WrittenCheckpoint {
  id: number;
  auditId: number;
  hash: string;
  kid: string;
  at: Date;
}

/**
 * Signs the chain's current head. Nothing is written when there is no chained row yet, or when the
 * head has not moved since the last checkpoint and that one is less than a day old.
 */
export async function writeCheckpoint(db: Executor, secrets: SecretBox, reason: CheckpointReason, now: Date): Promise<WrittenCheckpoint | null> {
  return db.transaction(async (tx) => {
    // The head cannot move while it is read and signed.
    await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
    const [head] = await tx.select({ id: auditLog.id, hash: auditLog.hash }).from(auditLog).where(isNotNull(auditLog.hash)).orderBy(desc(auditLog.id)).limit(1);
    if (!head?.hash) return null;
    const [last] = await tx.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.id)).limit(1);
    if (reason !== 'manual' && last && last.auditId === head.id && now.getTime() - last.at.getTime() < CHECKPOINT_INTERVAL_MS) return null;
    const key = await activeSigningKey(tx, secrets, now);
    const signature = Buffer.from(sm2Sign(checkpointMessage({ auditId: head.id, hash: head.hash, at: now }), key.privateKeyHex, { publicKeyHex: key.publicKeyHex })).toString('hex');
    const [row] = await tx.insert(auditCheckpoints).values({ auditId: head.id, hash: head.hash, kid: key.kid, signature, reason, at: now }).returning({ id: auditCheckpoints.id });
    return { id: row!.id, auditId: head.id, hash: head.hash, kid: key.kid, at: now };
  });
}

/** Whether a day has passed since the last checkpoint (or there is none). */
async function checkpointDue(db: Executor, now: Date): Promise<boolean> {
  const [last] = await db.select({ at: auditCheckpoints.at }).from(auditCheckpoints).orderBy(desc(auditCheckpoints.at)).limit(1);
  return !last || now.getTime() - last.at.getTime() >= CHECKPOINT_INTERVAL_MS;
}

export interface CheckpointScheduleOptions {
  db: Executor;
  secrets: SecretBox;
  now: () => Date;
  log: Pick<FastifyInstance['log'], 'info' | 'error'>;
  /** How often to look whether the daily checkpoint is due (default hourly). */
  checkEveryMs?: number;
}

/**
 * The daily checkpoint (looked for hourly, so instances that restart still write one a day) and the
 * one at shutdown. `stop()` writes the shutdown checkpoint; call it before the database closes.
 */
export function scheduleCheckpoints(options: CheckpointScheduleOptions): { stop(): Promise<void> } {
  const { db, secrets, now, log } = options;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = (async () => {
      try {
        if (!(await checkpointDue(db, now()))) return;
        const written = await writeCheckpoint(db, secrets, 'daily', now());
        if (written) log.info({ auditId: written.auditId, kid: written.kid }, 'audit checkpoint written');
      } catch (error) {
        log.error({ err: error }, 'the daily audit checkpoint failed');
      }
    })();
  };
  tick();
  const timer = setInterval(tick, options.checkEveryMs ?? 60 * 60 * 1000);
  timer.unref();
  let stopped: Promise<void> | undefined;
  return {
    stop: () =>
      (stopped ??= (async () => {
        clearInterval(timer);
        await running;
        try {
          const written = await writeCheckpoint(db, secrets, 'shutdown', now());
          if (written) log.info({ auditId: written.auditId, kid: written.kid }, 'audit checkpoint written at shutdown');
        } catch (error) {
          log.error({ err: error }, 'the shutdown audit checkpoint failed');
        }
      })()),
  };
}

export interface ChainProblem {
  /** The audit row concerned (for a checkpoint: the row it covers). */
  auditId: number;
  kind: ChainBreak['kind'] | 'checkpoint_hash' | 'checkpoint_row_missing' | 'checkpoint_signature' | 'checkpoint_key_unknown' | 'checkpoint_key_period' | 'checkpoint_stale';
  checkpointId?: number;
  at?: string;
  event?: string;
}

export interface ChainReport {
  rows: number;
  /** Rows written before the chain began (no hash): not covered. */
  unchainedBefore: number;
  checkpoints: number;
  head: { id: number; hash: string } | null;
  /** The newest checkpoint; rows after it are chained but not yet signed. */
  lastCheckpoint: { id: number; auditId: number; at: string } | null;
  problems: ChainProblem[];
  ok: boolean;
}

const PAGE = 2000;
/** How far the newest row may be past the last daily checkpoint before verify calls it missing. */
const CHECKPOINT_SLACK_MS = 26 * 3600_000;
const MAX_PROBLEMS = 50;

/**
 * Walks the whole chain in id order and checks every row's link and hash, then every checkpoint's
 * row, hash and signature. Reads only (SELECT), so the app's role can run it.
 */
export async function verifyAuditChain(db: Executor, options: { trustedKeys?: readonly TrustedKey[] } = {}): Promise<ChainReport> {
  const problems: ChainProblem[] = [];
  const checkpoints = await db.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.id));
  // Whoever can rewrite the log can also add a key to this database: given the published key set
  // (rto-keys.json, kept apart), checkpoints are checked against it alone, and against each key's days.
  const keys = new Map<string, TrustedKey>(
    (options.trustedKeys ?? (await db.select({ kid: signingKeys.kid, publicKeyHex: signingKeys.publicKeyHex }).from(signingKeys))).map((k) => [k.kid, k]),
  );
  const covered = new Map<number, typeof checkpoints>();
  for (const checkpoint of checkpoints) covered.set(checkpoint.auditId, [...(covered.get(checkpoint.auditId) ?? []), checkpoint]);
  const seenHashes = new Map<number, string | null>();

  let rows = 0;
  let unchainedBefore = 0;
  let expectedPrevious: string | null = null;
  let head: ChainReport['head'] = null;
  let headAt: Date | undefined;
  // The first chained row no checkpoint covers yet.
  const lastCovered = checkpoints.reduce((max, c) => Math.max(max, c.auditId), 0);
  let firstUncoveredAt: Date | undefined;
  let after = 0;
  for (;;) {
    const page = await db.select().from(auditLog).where(gt(auditLog.id, after)).orderBy(asc(auditLog.id)).limit(PAGE);
    if (page.length === 0) break;
    for (const stored of page) {
      rows += 1;
      const link = {
        row: {
          id: stored.id,
          at: stored.at,
          staffId: stored.staffId,
          username: stored.username,
          role: stored.role,
          provinceCode: stored.provinceCode,
          event: stored.event,
          targetKind: stored.targetKind,
          targetId: stored.targetId,
          ip: stored.ip,
          details: stored.details,
        },
        previousHash: stored.previousHash,
        hash: stored.hash,
      };
      const broken = checkLink(link, expectedPrevious);
      if (broken && problems.length < MAX_PROBLEMS) problems.push({ auditId: stored.id, kind: broken.kind, at: stored.at.toISOString(), event: stored.event });
      if (stored.hash === null && expectedPrevious === null) unchainedBefore += 1;
      // A broken row is reported once: the next row is checked against what this one stores.
      if (stored.hash !== null) {
        expectedPrevious = stored.hash;
        head = { id: stored.id, hash: stored.hash };
        headAt = stored.at;
        if (stored.id > lastCovered) firstUncoveredAt ??= stored.at;
      }
      if (covered.has(stored.id)) seenHashes.set(stored.id, broken ? null : stored.hash);
    }
    after = page[page.length - 1]!.id;
  }

  for (const checkpoint of checkpoints) {
    const base = { auditId: checkpoint.auditId, checkpointId: checkpoint.id, at: checkpoint.at.toISOString() };
    const key = keys.get(checkpoint.kid);
    if (!key) {
      problems.push({ ...base, kind: 'checkpoint_key_unknown' });
      continue;
    }
    const day = chinaDate(checkpoint.at);
    if ((key.notBefore && day < key.notBefore) || (key.notAfter && day > key.notAfter)) {
      problems.push({ ...base, kind: 'checkpoint_key_period' });
      continue;
    }
    const publicKeyHex = key.publicKeyHex;
    let signed = false;
    try {
      signed = sm2Verify(checkpointMessage({ auditId: checkpoint.auditId, hash: checkpoint.hash, at: checkpoint.at }), Buffer.from(checkpoint.signature, 'hex'), publicKeyHex);
    } catch {
      signed = false;
    }
    if (!signed) {
      problems.push({ ...base, kind: 'checkpoint_signature' });
      continue;
    }
    if (!seenHashes.has(checkpoint.auditId)) problems.push({ ...base, kind: 'checkpoint_row_missing' });
    else if (seenHashes.get(checkpoint.auditId) !== checkpoint.hash) problems.push({ ...base, kind: 'checkpoint_hash' });
  }
  const last = checkpoints[checkpoints.length - 1];
  // A running server signs the head daily, so rows no checkpoint covers span at most a day and a bit;
  // a longer run means checkpoints were removed (and rows beyond the remaining ones could be cut unseen).
  if (head && headAt && firstUncoveredAt && headAt.getTime() - firstUncoveredAt.getTime() > CHECKPOINT_SLACK_MS) {
    problems.push({ auditId: head.id, kind: 'checkpoint_stale', at: firstUncoveredAt.toISOString() });
  }
  problems.sort((a, b) => a.auditId - b.auditId);
  return {
    rows,
    unchainedBefore,
    checkpoints: checkpoints.length,
    head,
    lastCheckpoint: last ? { id: last.id, auditId: last.auditId, at: last.at.toISOString() } : null,
    problems,
    ok: problems.length === 0,
  };
}

/** The report as the lines `rto audit verify` prints. */
export function describeChainReport(report: ChainReport): string[] {
  const lines: string[] = [];
  const describe = (problem: ChainProblem): string => {
    const where = `audit row ${problem.auditId}${problem.event ? ` (${problem.event}, ${problem.at})` : ''}`;
    switch (problem.kind) {
      case 'hash':
        return `${where}: its content does not match its hash — the row was changed`;
      case 'previous_hash':
        return `${where}: does not follow the row before it — a row before it was removed, inserted or rewritten`;
      case 'unchained':
        return `${where}: carries no hash inside the chain — written around the chain or its hash removed`;
      case 'checkpoint_hash':
        return `checkpoint ${problem.checkpointId} (${problem.at}) signed a different hash for audit row ${problem.auditId}: rows up to ${problem.auditId} were rewritten after it was signed`;
      case 'checkpoint_row_missing':
        return `checkpoint ${problem.checkpointId} (${problem.at}) covers audit row ${problem.auditId}, which is missing`;
      case 'checkpoint_signature':
        return `checkpoint ${problem.checkpointId} (${problem.at}): its SM2 signature does not verify`;
      case 'checkpoint_key_unknown':
        return `checkpoint ${problem.checkpointId} (${problem.at}): signed by a key not in the trusted key set`;
      case 'checkpoint_key_period':
        return `checkpoint ${problem.checkpointId} (${problem.at}): signed by a key outside the days it may sign on`;
      case 'checkpoint_stale':
        return `audit rows from ${problem.at} to row ${problem.auditId} span more than a day with no signed checkpoint covering them — checkpoints were removed, so rows could have been cut unseen`;
    }
  };
  if (report.ok) {
    lines.push(`Audit chain intact: ${report.rows} rows${report.unchainedBefore ? ` (${report.unchainedBefore} written before the chain began, not covered)` : ''}, ${report.checkpoints} signed checkpoints.`);
  } else {
    const first = report.problems[0]!;
    lines.push(`Audit chain BROKEN. First broken row: ${first.auditId}.`);
    for (const problem of report.problems) lines.push(`  - ${describe(problem)}`);
  }
  if (report.head) lines.push(`Head: row ${report.head.id}, SM3 ${report.head.hash}`);
  if (report.lastCheckpoint) lines.push(`Last checkpoint: ${report.lastCheckpoint.id} at ${report.lastCheckpoint.at}, covering rows up to ${report.lastCheckpoint.auditId}`);
  else lines.push('No signed checkpoint yet.');
  return lines;
}


declare module 'fastify' {
  interface FastifyInstance {
    auditCheckpoints: { start(): void };
  }
}

/**
 * Gives the app `auditCheckpoints.start()` (the server calls it once listening) and, once started,
 * writes the shutdown checkpoint when the app closes (before the database does).
 */
export function registerAuditCheckpoints(app: FastifyInstance, options: Omit<CheckpointScheduleOptions, 'log'>): void {
  let schedule: { stop(): Promise<void> } | undefined;
  app.decorate('auditCheckpoints', {
    start: () => {
      schedule ??= scheduleCheckpoints({ ...options, log: app.log });
    },
  });
  app.addHook('onClose', async () => {
    await schedule?.stop();
  });
}
