/**
 * Keyboard helpers for the global shortcuts (pure: they take the few DOM members they read).
 */

/** What `isTextEntry` reads of an event target (an HTMLElement satisfies it). */
export interface KeyTarget {
  tagName: string;
  isContentEditable: boolean;
  getAttribute(name: string): string | null;
  closest(selector: string): unknown;
}

const TEXT_ROLES = ['textbox', 'searchbox', 'combobox'];

/**
 * Whether a key event's target takes typed text, so a printable shortcut (`/`) must leave the key to it: form
 * fields, contenteditable, text roles, and anything inside Monaco, whose input is an EditContext `<div>` (neither
 * a textarea nor contenteditable) in Chromium.
 */
export function isTextEntry(t: KeyTarget | null): boolean {
  if (!t) return false;
  if (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName)) return true;
  if (TEXT_ROLES.includes(t.getAttribute('role') ?? '')) return true;
  return t.closest('.monaco-editor') !== null;
}
