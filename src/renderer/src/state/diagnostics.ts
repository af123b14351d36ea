/**
 * The last check of the prompt in the editor (mode and diagnostics from `prompt.check`), shared by the editor's
 * markers, the mode indicator, the composer and the Generate guard.
 */
import { create } from 'zustand';
import type { Diagnostic, PromptMode } from '../../../shared/prompt';

interface DiagnosticsState {
  mode: PromptMode;
  diagnostics: Diagnostic[];
  /** The prompt text these diagnostics belong to. */
  text: string | null;
  set(text: string, mode: PromptMode, diagnostics: Diagnostic[]): void;
}

export const useDiagnostics = create<DiagnosticsState>((set) => ({
  mode: 'xml',
  diagnostics: [],
  text: null,
  set(text, mode, diagnostics) {
    set({ text, mode, diagnostics });
  },
}));

/** Counts by severity. */
export function severityCounts(diagnostics: readonly Diagnostic[]): {
  errors: number;
  warnings: number;
  infos: number;
} {
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const d of diagnostics) {
    if (d.severity === 'error') errors++;
    else if (d.severity === 'warning') warnings++;
    else infos++;
  }
  return { errors, warnings, infos };
}
