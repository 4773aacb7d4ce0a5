/** Pieces of an application's page that the driver and the staff see alike: its log and its uploads. */
import type { Localized } from '../../domain/errors.ts';
import { ACTION_LABELS, reasonCodesFor, type ApplicationAction } from '../../domain/stateMachine.ts';
import type { applicationActions, materials } from '../db/schema.ts';
import { flaggedKeysOf } from './corrections.ts';

type ActionRow = typeof applicationActions.$inferSelect;
type MaterialRow = typeof materials.$inferSelect;

/** The reasons given with an action, labelled; a code no longer offered shows as itself. */
export function actionReasons(action: string, codes: readonly string[]): { code: string; label: Localized }[] {
  const known = reasonCodesFor(action as ApplicationAction);
  return codes.map((code) => {
    const reason = known.find((r) => r.code === code);
    return { code, label: reason ? { zh: reason.zh, en: reason.en } : { zh: code, en: code } };
  });
}

/**
 * One entry of the log. `materialNames` names the materials a return flagged (the log keeps keys);
 * the pictures' digests it also keeps stay on the server.
 */
export function timelineEntryView(entry: ActionRow, materialNames: ReadonlyMap<string, Localized> = new Map()) {
  const { flaggedFiles: _digests, ...details } = entry.payload;
  return {
    action: entry.action,
    label: ACTION_LABELS[entry.action as ApplicationAction] ?? { zh: entry.action, en: entry.action },
    fromState: entry.fromState,
    toState: entry.toState,
    actorRole: entry.actorRole,
    at: entry.createdAt.toISOString(),
    reasons: actionReasons(entry.action, entry.reasonCodes),
    reasonText: entry.reasonText,
    materials: flaggedKeysOf(entry).map((key) => ({ key, name: materialNames.get(key) ?? { zh: key, en: key } })),
    details,
  };
}

/** An uploaded picture, with the quality warnings the driver saw at upload. `url` serves the full image. */
export function uploadedMaterialView(file: MaterialRow, url: string) {
  const warnings = (file.quality as { warnings?: { code: string; zh: string; en: string }[] }).warnings ?? [];
  return {
    mime: file.mime,
    width: file.width,
    height: file.height,
    bytes: file.bytes,
    uploadedAt: file.uploadedAt.toISOString(),
    warnings: warnings.map(({ code, zh, en }) => ({ code, zh, en })),
    url,
    thumbnailUrl: `${url}/thumbnail`,
  };
}
