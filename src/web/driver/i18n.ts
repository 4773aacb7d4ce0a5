import { createAppI18n } from '../shared/i18n.ts';
import { driverMessages } from './messages.ts';

/** The drivers' app's texts: those of the first load here, the rest merged as their pages' code arrives. */
export const i18n = createAppI18n(driverMessages, 'app.name');

type Bundle = { 'zh-CN': Record<string, unknown>; en: Record<string, unknown> };

/** Texts of a part of the app that is not on the first load (kept off it to keep it light). */
export function addMessages(bundle: Bundle): void {
  i18n.global.mergeLocaleMessage('zh-CN', bundle['zh-CN']);
  i18n.global.mergeLocaleMessage('en', bundle.en);
}
