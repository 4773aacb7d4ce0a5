import { ref } from 'vue';

/**
 * 长辈版 (care mode) for older drivers, after the MIIT elderly-friendly rules (互联网应用适老化及无障碍改造):
 * larger text (body ≥ 18 px, headings ≥ 24 px, line height ≥ 1.3), touch targets ≥ 60×60 px, strong
 * contrast and a simpler home page. The choice is remembered on this device (localStorage) and shown
 * as the `care-mode` class on <html>: the styles switch by CSS variables (the drivers' styles.css),
 * so pages use the tokens and never fixed sizes.
 */

const storageKey = 'rto.careMode';
export const careModeClass = 'care-mode';

function saved(): string | null {
  try {
    return globalThis.localStorage?.getItem(storageKey) ?? null;
  } catch {
    // Storage can be disabled (private mode, some in-app browsers): nothing was chosen.
    return null;
  }
}

/** On: 长辈版. */
export const careMode = ref(saved() === 'on');
/** Whether this device has chosen (either way): the home page asks on the first visit only. */
export const careModeChosen = ref(saved() !== null);

function apply(on: boolean): void {
  if (typeof document !== 'undefined') document.documentElement.classList.toggle(careModeClass, on);
}

export function setCareMode(on: boolean): void {
  careMode.value = on;
  careModeChosen.value = true;
  try {
    globalThis.localStorage?.setItem(storageKey, on ? 'on' : 'off');
  } catch {
    // Not persisted; the choice still holds for this page.
  }
  apply(on);
}

// Before the app mounts, so the first paint is already in the chosen mode.
apply(careMode.value);
