/**
 * The native folder chooser behind `models.pickFolder` in the Electron app (serve mode has none: the UI shows a path
 * field there). The Electron objects are passed in, typed by the small surface used, so tests mock them.
 */

/** Electron's `dialog`, as far as it is used. */
export interface DialogLike {
  showOpenDialog(
    window: unknown,
    options: { title: string; buttonLabel: string; properties: Array<'openDirectory' | 'dontAddToRecent'> },
  ): Promise<{ canceled: boolean; filePaths: string[] }>;
}

/**
 * A chooser for the model folder, modal to the window `parent()` returns (the focused studio window).
 * @returns the chosen absolute folder, or null when the user cancelled or no window is open.
 */
export function electronFolderPicker(
  dialog: DialogLike,
  parent: () => unknown,
): () => Promise<string | null> {
  return async () => {
    const window = parent();
    if (!window) return null;
    const r = await dialog.showOpenDialog(window, {
      title: 'Choose the model folder',
      buttonLabel: 'Use this folder',
      properties: ['openDirectory', 'dontAddToRecent'],
    });
    return r.canceled || r.filePaths.length === 0 ? null : (r.filePaths[0] ?? null);
  };
}
