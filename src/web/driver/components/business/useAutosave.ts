import { onBeforeUnmount, ref, type Ref, type ShallowRef } from 'vue';
import type { ApplicationDetail } from '../../../../contract/applications.ts';
import type { BusinessKey } from '../../../../domain/businessKeys.ts';
import { ApiError, applicationApi } from '../../../shared/api.ts';
import { currentLocale } from '../../../shared/locale.ts';
import { draftErrors, savableChanges, type FieldErrors } from './fields.ts';
import { formatTime } from './format.ts';

export type SaveStatus = 'idle' | 'saving' | 'saved' | 'failed';

/**
 * The answers of the personal-information step, saved as the driver types (700 ms after the last
 * change). A field the draft schema refuses stays on screen, marked, and is saved once corrected; a
 * failed save keeps the changes for the next try.
 */
export function useAutosave(options: {
  application: ShallowRef<ApplicationDetail | undefined>;
  business: Ref<BusinessKey | null>;
  variant: Ref<string | null>;
  onAuthError: (error: ApiError) => void;
}) {
  const info = ref<Record<string, unknown>>({});
  const fieldErrors = ref<FieldErrors>({});
  const pending = new Map<string, unknown>();
  const saveState = ref<SaveStatus>('idle');
  const saveError = ref('');
  const savedAt = ref('');
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  let saving: Promise<void> | undefined;

  function reset(answers: Record<string, unknown>): void {
    info.value = { ...answers };
    fieldErrors.value = {};
    pending.clear();
  }

  function onFieldChange(key: string, value: unknown): void {
    info.value = { ...info.value, [key]: value };
    const business = options.business.value;
    if (!business) return;
    const errors = { ...fieldErrors.value };
    delete errors[key];
    const draftProblem = draftErrors(business, options.variant.value, { [key]: value }, currentLocale.value)[key];
    if (draftProblem) errors[key] = draftProblem;
    fieldErrors.value = errors;
    pending.set(key, value);
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => void save(), 700);
  }

  async function save(): Promise<void> {
    clearTimeout(saveTimer);
    if (saving) await saving;
    const current = options.application.value;
    const business = options.business.value;
    if (!current || !business || pending.size === 0) return;
    const changes = savableChanges(business, options.variant.value, Object.fromEntries(pending));
    // Invalid answers stay on screen (marked red) and are saved once corrected.
    if (Object.keys(changes).length === 0) return;
    for (const key of Object.keys(changes)) pending.delete(key);
    saveState.value = 'saving';
    saving = (async () => {
      try {
        options.application.value = await applicationApi.update(current.id, changes);
        saveState.value = 'saved';
        savedAt.value = formatTime(new Date());
      } catch (error) {
        for (const [key, value] of Object.entries(changes)) if (!pending.has(key)) pending.set(key, value);
        saveState.value = 'failed';
        saveError.value = error instanceof ApiError ? error.message : String(error);
        if (error instanceof ApiError) options.onAuthError(error);
      }
    })();
    await saving;
    saving = undefined;
  }

  onBeforeUnmount(() => {
    if (pending.size > 0) void save();
  });

  return { info, fieldErrors, saveState, saveError, savedAt, reset, onFieldChange, save };
}
