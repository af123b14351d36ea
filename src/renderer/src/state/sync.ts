/**
 * Keeps the renderer in step with the service: initial settings, devices, queue and model check, then the event
 * channels (queue, settings, progress, finished/failed/notices, VRAM samples, menu commands).
 */
import { useEffect } from 'react';
import { call, errorText, useStudioEvent } from '../lib/invoke';
import { generate } from './actions';
import { notifyError, notifyInfo, useNotices } from './notices';
import { useProgress } from './progress';
import { paramsFromDefaults, useStudio, type Theme } from './studioStore';
import { useSystem } from './system';

const themeOf = (v: unknown): Theme | null => (v === 'dark' || v === 'light' ? v : null);

/** Checks the configured model folder and records the report (or why there is none) for the status bar. */
export async function refreshModelCheck(): Promise<void> {
  try {
    useSystem.getState().setModel(await call('models.check'), null);
  } catch (e) {
    useSystem.getState().setModel(null, errorText(e));
  }
}

/** Mount once (App): loads settings, devices, queue and model check, then subscribes to the event channels until unmount. */
export function useServiceSync(): void {
  useEffect(() => {
    const s = useStudio.getState();
    call('settings.get')
      .then((settings) => {
        s.setSettings(settings);
        const theme = themeOf(settings.ui['theme']);
        if (theme) s.setTheme(theme);
        // Defaults seed the panel once; the seed stays random until the user fixes one.
        useStudio.setState({
          params: paramsFromDefaults(settings.defaults),
          negativePrompt: settings.defaults.negativePrompt,
        });
      })
      .catch((e) => notifyError(e, 'Could not read the settings'));
    call('devices.get')
      .then((d) => s.setDevice(d))
      .catch((e) => notifyError(e, 'Could not detect the devices'));
    call('queue.list')
      .then((q) => s.setQueue(q))
      .catch((e) => notifyError(e, 'Could not read the queue'));
    void refreshModelCheck();
  }, []);

  useStudioEvent('queue.changed', (q) => {
    useStudio.getState().setQueue(q);
    for (const id of Object.keys(useProgress.getState().byJob))
      if (id !== q.runningId) useProgress.getState().clear(id);
  });
  useStudioEvent('settings.changed', (settings) => {
    const prev = useStudio.getState().settings;
    useStudio.getState().setSettings(settings);
    const theme = themeOf(settings.ui['theme']);
    if (theme) useStudio.getState().setTheme(theme);
    if (prev?.modelDir !== settings.modelDir) void refreshModelCheck();
  });
  useStudioEvent('generation.progress', (p) => useProgress.getState().update(p));
  useStudioEvent('generation.finished', (f) => {
    useProgress.getState().clear(f.jobId);
    useSystem.getState().setLastRun({ provider: f.provider, precision: f.precision });
    for (const w of f.warnings) useNotices.getState().push({ level: 'warning', text: w, ttlMs: 10_000 });
  });
  useStudioEvent('generation.failed', (f) => {
    useProgress.getState().clear(f.jobId);
    if (f.error.code === 'Cancelled') notifyInfo('Generation cancelled.');
    else
      useNotices.getState().push({
        level: 'error',
        text: `Generation failed: ${f.error.message}${f.error.hint ? ` ${f.error.hint}` : ''}`,
      });
  });
  useStudioEvent('generation.notice', (n) =>
    useNotices
      .getState()
      .push({ level: n.level === 'warning' ? 'warning' : 'info', text: n.message, ttlMs: 10_000 }),
  );
  useStudioEvent('vram.sample', (sample) =>
    useSystem.getState().addSample(sample, useStudio.getState().queue.runningId),
  );
  useStudioEvent('app.command', ({ command }) => {
    if (command === 'generate') void generate();
    else if (command === 'cancelCurrent') {
      const id = useStudio.getState().queue.runningId;
      if (id) call('generation.cancel', { id }).catch((e) => notifyError(e, 'Could not cancel'));
    }
  });
}
