import { ref } from 'vue';
import { ApiError } from '../../../shared/api.ts';
import { currentLocale } from '../../../shared/locale.ts';

/**
 * The personal-information rules (the catalog's zod schemas, shared with the server) load when the flow
 * reaches its form, not with the flow's first screen: zod and the schemas are a third of the flow's
 * code, and the notice and the certificate choice do without them.
 */
export type FormRules = typeof import('../../../../domain/catalog.ts');

let rules: FormRules | undefined;
let pending: Promise<FormRules> | undefined;

/** True once the rules are here (reactive, for the steps that wait for them). */
export const formRulesReady = ref(false);

export function loadFormRules(): Promise<FormRules> {
  pending ??= import('../../../../domain/catalog.ts').then(
    (loaded) => {
      rules = loaded;
      formRulesReady.value = true;
      return loaded;
    },
    () => {
      pending = undefined;
      throw new ApiError(
        'NETWORK_ERROR',
        0,
        currentLocale.value === 'en' ? 'The form could not be loaded. Check your connection and try again.' : '表单加载失败，请检查网络后重试',
      );
    },
  );
  return pending;
}

/** The loaded rules; the form's steps render only after `loadFormRules()` (see BusinessPage). */
export function formRules(): FormRules {
  if (!rules) throw new Error('the form rules are not loaded yet: await loadFormRules() first');
  return rules;
}
