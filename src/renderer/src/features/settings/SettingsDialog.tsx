/**
 * Settings: model folder and check, where data lives, execution provider and memory policy, generation defaults,
 * and the theme. Every change is saved through `settings.set` (the main process validates and stores it).
 */
import type { Settings } from '../../../../shared/dto';
import type { SettingsPatch } from '../../../../shared/api';
import { Dialog } from '../../components/Dialog';
import { call } from '../../lib/invoke';
import { notifyError, notifyInfo } from '../../state/notices';
import { chooseTheme } from '../../state/actions';
import { useStudio } from '../../state/studioStore';
import { ModelSection } from './ModelSection';

const save = (patch: SettingsPatch, what = 'Settings') =>
  call('settings.set', patch)
    .then(() => notifyInfo(`${what} saved.`))
    .catch((e) => notifyError(e, `${what} not saved`));

function RuntimeSection({ settings }: { settings: Settings }) {
  return (
    <fieldset>
      <legend>Runtime</legend>
      <label className="field">
        <span>Execution provider</span>
        <select
          value={settings.provider}
          onChange={(e) => void save({ provider: e.target.value as Settings['provider'] })}
        >
          <option value="auto">Auto (CUDA → DirectML → CoreML → WebGPU → CPU)</option>
          <option value="cuda">CUDA</option>
          <option value="dml">DirectML</option>
          <option value="coreml">CoreML</option>
          <option value="webgpu">WebGPU</option>
          <option value="cpu">CPU</option>
        </select>
      </label>
      <label className="field">
        <span>Text encoders after encoding</span>
        <select
          value={settings.memoryPolicy}
          onChange={(e) => void save({ memoryPolicy: e.target.value as Settings['memoryPolicy'] })}
        >
          <option value="auto">Auto (release when VRAM is tight)</option>
          <option value="keep">Keep in memory (faster next job)</option>
          <option value="release">Release (less VRAM)</option>
        </select>
      </label>
      <label className="inline-field">
        <input
          type="checkbox"
          checked={settings.previews}
          onChange={(e) => void save({ previews: e.target.checked })}
        />{' '}
        Live previews while generating
      </label>
      <label className="inline-field">
        <input
          type="checkbox"
          checked={settings.autoStartQueue}
          onChange={(e) => void save({ autoStartQueue: e.target.checked })}
        />{' '}
        Start the queue when the app starts
      </label>
    </fieldset>
  );
}

function DefaultsSection({ settings }: { settings: Settings }) {
  const d = settings.defaults;
  const useCurrent = () => {
    const { params, negativePrompt } = useStudio.getState();
    const { seedMode: _m, seed: _s, ...rest } = params;
    void save({ defaults: { ...rest, negativePrompt } }, 'Defaults');
  };
  return (
    <fieldset>
      <legend>Defaults for new generations</legend>
      <p className="field-hint">
        {d.width}×{d.height}, {d.steps} steps, guidance {d.guidance}, shift {d.shift}, {d.sampler}, precision{' '}
        {d.precision}, batch {d.batch}
        {d.negativePrompt ? `, negative “${d.negativePrompt}”` : ''}
      </p>
      <div className="row">
        <button type="button" onClick={useCurrent}>
          Use the current generate settings
        </button>
        <button
          type="button"
          onClick={() => {
            useStudio.getState().applyRequest({ ...d });
            useStudio.getState().setParams({ seedMode: 'random' });
          }}
        >
          Load defaults into the generate panel
        </button>
      </div>
    </fieldset>
  );
}

/** The settings dialog (Ctrl/Cmd+, or the header button); each control saves at once through `settings.set`. */
export function SettingsDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const settings = useStudio((s) => s.settings);
  const theme = useStudio((s) => s.theme);
  return (
    <Dialog title="Settings" open={open} onClose={onClose} className="settings-dialog">
      {!settings ? (
        <p role="status">Loading settings…</p>
      ) : (
        <>
          <ModelSection />
          <fieldset>
            <legend>Data</legend>
            <p className="field-hint">
              History, images, thumbnails and settings live in the data folder chosen at launch (the app’s
              user-data folder, or <code>--data-dir</code> / <code>NEWBIE_STUDIO_DATA_DIR</code>). Images are
              kept under <code>images/</code>, thumbnails under <code>thumbnails/</code>.
            </p>
          </fieldset>
          <RuntimeSection settings={settings} />
          <DefaultsSection settings={settings} />
          <fieldset>
            <legend>Theme</legend>
            <div role="radiogroup" aria-label="Theme" className="row">
              {(['dark', 'light'] as const).map((t) => (
                <label key={t} className="inline-field">
                  <input type="radio" name="theme" checked={theme === t} onChange={() => chooseTheme(t)} />{' '}
                  {t === 'dark' ? 'Dark' : 'Light'}
                </label>
              ))}
            </div>
          </fieldset>
        </>
      )}
    </Dialog>
  );
}
