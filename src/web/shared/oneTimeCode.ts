/**
 * An SMS code pasted into its field (WCAG 2.2 3.3.8: no transcribing): the whole message may come along
 * ("【道路运政一网通办】验证码 123456，5分钟内有效"), so the code is picked out of it rather than the text being
 * cut to the field's length first.
 */
export function codeFromPastedText(text: string, length = 6): string {
  const exact = new RegExp(`(?<!\\d)\\d{${length}}(?!\\d)`).exec(text);
  if (exact) return exact[0];
  return text.replace(/\D/g, '').slice(0, length);
}

/** A paste handler for a code field: writes the picked-out code through `set` instead of the raw text. */
export function pasteCode(set: (code: string) => void, length = 6): (event: ClipboardEvent) => void {
  return (event) => {
    const text = event.clipboardData?.getData('text') ?? '';
    if (!text) return;
    event.preventDefault();
    set(codeFromPastedText(text, length));
  };
}
