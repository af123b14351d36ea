/**
 * Generate panel: size, steps, guidance, seed, batch count, sampler, precision (auto shows what it resolves to on
 * this machine), advanced sampler settings, and the Generate button (Ctrl/Cmd+Enter anywhere).
 */
import type { PrecisionChoice, Sampler } from '../../../../shared/dto';
import { NumberField } from '../../components/NumberField';
import { Panel } from '../../components/Panel';
import { formatPlan } from '../../lib/format';
import { generate } from '../../state/actions';
import { useDiagnostics } from '../../state/diagnostics';
import { useStudio } from '../../state/studioStore';
import { SeedControl } from './SeedControl';
import { SizeControl } from './SizeControl';

const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);

export function GeneratePanel() {
  const params = useStudio((s) => s.params);
  const setParams = useStudio((s) => s.setParams);
  const device = useStudio((s) => s.device);
  const errors = useDiagnostics((s) => s.diagnostics.filter((d) => d.severity === 'error').length);
  const autoPlan = device
    ? `${device.active.provider.toUpperCase()}: ${formatPlan(device.active.plan)}`
    : 'detecting…';
  return (
    <Panel title="Generate" className="generate-panel">
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void generate();
        }}
      >
        <SizeControl />
        <div className="row">
          <NumberField
            label="Steps"
            integer
            min={1}
            max={1000}
            value={params.steps}
            onChange={(v) => setParams({ steps: v })}
          />
          <NumberField
            label="Guidance"
            min={0}
            max={100}
            step={0.5}
            value={params.guidance}
            onChange={(v) => setParams({ guidance: v })}
          />
        </div>
        <SeedControl />
        <div className="row">
          <NumberField
            label="Batch count"
            integer
            min={1}
            max={64}
            value={params.batch}
            onChange={(v) => setParams({ batch: v })}
          />
          <label className="field">
            <span>Sampler</span>
            <select
              aria-label="Sampler"
              value={params.sampler}
              onChange={(e) => setParams({ sampler: e.target.value as Sampler })}
            >
              <option value="euler">Euler</option>
              <option value="midpoint">Midpoint (2 evaluations per step)</option>
            </select>
          </label>
        </div>
        <label className="field">
          <span>Precision</span>
          <select
            aria-label="Precision"
            aria-describedby="precision-auto"
            value={params.precision}
            onChange={(e) => setParams({ precision: e.target.value as PrecisionChoice })}
          >
            <option value="auto">Auto</option>
            <option value="bf16">bf16</option>
            <option value="fp16">fp16</option>
            <option value="fp32">fp32</option>
          </select>
          <small id="precision-auto" className="field-hint">
            Auto → {autoPlan}
          </small>
        </label>
        <details className="advanced">
          <summary>Advanced</summary>
          <div className="row">
            <NumberField
              label="Shift"
              min={0.01}
              max={100}
              step={0.5}
              value={params.shift}
              onChange={(v) => setParams({ shift: v })}
            />
            <NumberField
              label="CFG truncation"
              min={0}
              max={1}
              step={0.05}
              value={params.cfgTrunc}
              onChange={(v) => setParams({ cfgTrunc: v })}
              hint="Guidance while t < this"
            />
            <NumberField
              label="CFG renorm"
              min={0}
              max={1000}
              step={0.1}
              value={params.renormCfg}
              onChange={(v) => setParams({ renormCfg: v })}
            />
          </div>
        </details>
        <button
          type="submit"
          className="primary generate-button"
          aria-label="Generate"
          aria-keyshortcuts={isMac ? 'Meta+Enter' : 'Control+Enter'}
          title={errors ? 'The prompt has errors: the service will refuse it' : undefined}
        >
          Generate <kbd>{isMac ? '⌘' : 'Ctrl'}+Enter</kbd>
        </button>
      </form>
    </Panel>
  );
}
