/**
 * The Electron folder chooser behind `models.pickFolder`, with Electron's dialog mocked (it is absent here).
 */
import { describe, expect, it } from 'vitest';
import { electronFolderPicker, type DialogLike } from '../../../../src/main/ipc/folderPicker';

function fakeDialog(answer: { canceled: boolean; filePaths: string[] }) {
  const calls: Array<{ window: unknown; options: Parameters<DialogLike['showOpenDialog']>[1] }> = [];
  const dialog: DialogLike = {
    async showOpenDialog(window, options) {
      calls.push({ window, options });
      return answer;
    },
  };
  return { dialog, calls };
}

describe('electronFolderPicker', () => {
  it('opens a folder dialog modal to the studio window and returns the chosen folder', async () => {
    const win = { id: 1 };
    const { dialog, calls } = fakeDialog({
      canceled: false,
      filePaths: ['/data/models/NewBie-image-Exp0.1'],
    });
    expect(await electronFolderPicker(dialog, () => win)()).toBe('/data/models/NewBie-image-Exp0.1');
    expect(calls).toHaveLength(1);
    expect(calls[0].window).toBe(win);
    expect(calls[0].options.properties).toContain('openDirectory');
    expect(calls[0].options.properties).not.toContain('openFile');
  });

  it('returns null when the user cancels, when nothing was chosen, and when no window is open (no dialog then)', async () => {
    expect(
      await electronFolderPicker(
        fakeDialog({ canceled: true, filePaths: ['/ignored'] }).dialog,
        () => ({}),
      )(),
    ).toBeNull();
    expect(
      await electronFolderPicker(fakeDialog({ canceled: false, filePaths: [] }).dialog, () => ({}))(),
    ).toBeNull();
    const none = fakeDialog({ canceled: false, filePaths: ['/x'] });
    expect(await electronFolderPicker(none.dialog, () => undefined)()).toBeNull();
    expect(none.calls).toHaveLength(0);
  });
});
