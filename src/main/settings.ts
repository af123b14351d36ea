/**
 * The settings file `<dataDir>/settings.json` (conventions.md §6), validated with the contract's schema
 * (shared/api.ts `settingsSchema`) on read and on every change, written atomically. Electron-free.
 *
 * A damaged file never stops the app: unreadable JSON is moved aside to `settings.json.invalid-<ms>` and defaults
 * apply; a field that fails validation (or is unknown) falls back to its default. Each such fallback is reported in
 * `notices` so the UI can say what was reset.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { DEFAULTS, type Settings } from '../shared/dto';
import { StudioError } from '../shared/errors';
import { generationDefaultsSchema, settingsPatchSchema, settingsSchema, type SettingsPatch } from '../shared/apiSchemas';
import { writeFileAtomic } from './history/files';

/** Settings of a fresh install: the official model defaults (newbie-model.md §4), no model folder yet. */
export function defaultSettings(): Settings {
  return {
    modelDir: null,
    provider: 'auto',
    memoryPolicy: 'auto',
    previews: true,
    autoStartQueue: true,
    defaults: {
      negativePrompt: '',
      width: DEFAULTS.width,
      height: DEFAULTS.height,
      steps: DEFAULTS.steps,
      guidance: DEFAULTS.guidance,
      shift: DEFAULTS.shift,
      cfgTrunc: DEFAULTS.cfgTrunc,
      renormCfg: DEFAULTS.renormCfg,
      sampler: DEFAULTS.sampler,
      precision: DEFAULTS.precision,
      batch: DEFAULTS.batch,
    },
    ui: {},
  };
}

const clone = (s: Settings): Settings => structuredClone(s);

/** Keeps every valid field of `raw`, defaults for the rest; says which fields were reset. */
function salvage(raw: unknown, notices: string[]): Settings {
  const base = defaultSettings();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    notices.push('settings.json does not hold an object; defaults apply.');
    return base;
  }
  const obj = raw as Record<string, unknown>;
  const shape = settingsSchema.shape;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(obj)) {
    if (!(key in shape)) {
      notices.push(`settings.json: unknown setting "${key}" ignored.`);
      continue;
    }
    if (key === 'defaults' && value !== null && typeof value === 'object') {
      const d: Record<string, unknown> = { ...base.defaults };
      for (const [dk, dv] of Object.entries(value as Record<string, unknown>)) {
        const field = (generationDefaultsSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>)[dk];
        if (field?.safeParse(dv).success) d[dk] = dv;
        else notices.push(`settings.json: defaults.${dk} ${field ? 'is invalid' : 'is unknown'}; ${field ? 'reset to its default' : 'ignored'}.`);
      }
      out['defaults'] = d;
      continue;
    }
    const field = shape[key as keyof typeof shape];
    if (field.safeParse(value).success) out[key] = value;
    else notices.push(`settings.json: ${key} is invalid; reset to its default.`);
  }
  return settingsSchema.parse(out);
}

export class SettingsStore {
  private current: Settings;
  /** Updates run one after another so none is lost. */
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    settings: Settings,
    /** What was reset or ignored when the file was read. */
    readonly notices: readonly string[],
  ) {
    this.current = settings;
  }

  /**
   * Reads the settings file (absent → defaults, not written until the first change).
   * Never throws for file content: see the module comment. @throws only for I/O errors other than a missing file.
   */
  static load(file: string, now = Date.now()): SettingsStore {
    const notices: string[] = [];
    if (!existsSync(file)) return new SettingsStore(file, defaultSettings(), notices);
    const text = readFileSync(file, 'utf8');
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      const aside = `${file}.invalid-${now}`;
      renameSync(file, aside);
      notices.push(`settings.json was not valid JSON (${(e as Error).message}); it was moved to ${aside} and defaults apply.`);
      return new SettingsStore(file, defaultSettings(), notices);
    }
    return new SettingsStore(file, salvage(raw, notices), notices);
  }

  /** A copy of the current settings. */
  get(): Settings {
    return clone(this.current);
  }

  /**
   * Applies a patch (`defaults` and `ui` merge key by key), validates the result and writes the file atomically.
   * @returns the new settings.
   * @throws StudioError `InvalidRequest` naming the first invalid field; the file and the settings stay unchanged.
   */
  update(patch: SettingsPatch): Promise<Settings> {
    const run = this.chain.then(() => this.apply(patch));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async apply(patch: SettingsPatch): Promise<Settings> {
    const checked = settingsPatchSchema.safeParse(patch);
    if (!checked.success) {
      const i = checked.error.issues[0]!;
      throw new StudioError('InvalidRequest', `Setting ${i.path.join('.') || '(all)'}: ${i.message}.`);
    }
    const p = checked.data;
    const next: Settings = {
      ...this.current,
      ...(p.modelDir !== undefined ? { modelDir: p.modelDir } : {}),
      ...(p.provider !== undefined ? { provider: p.provider } : {}),
      ...(p.memoryPolicy !== undefined ? { memoryPolicy: p.memoryPolicy } : {}),
      ...(p.previews !== undefined ? { previews: p.previews } : {}),
      ...(p.autoStartQueue !== undefined ? { autoStartQueue: p.autoStartQueue } : {}),
      defaults: { ...this.current.defaults, ...p.defaults },
      ui: { ...this.current.ui, ...p.ui },
    };
    const valid = settingsSchema.safeParse(next);
    if (!valid.success) {
      const i = valid.error.issues[0]!;
      throw new StudioError('InvalidRequest', `Setting ${i.path.join('.')}: ${i.message}.`);
    }
    await writeFileAtomic(this.file, new TextEncoder().encode(`${JSON.stringify(valid.data, null, 2)}\n`));
    this.current = valid.data;
    return this.get();
  }
}
