/** Image size: the official presets (newbie-model.md §4) or a custom width × height in multiples of 16. */
import { NumberField } from '../../components/NumberField';
import { useStudio } from '../../state/studioStore';
import { SIZE_PRESETS, findPreset, sideProblem } from './resolutions';

export function SizeControl() {
  const { width, height } = useStudio((s) => s.params);
  const setParams = useStudio((s) => s.setParams);
  const preset = findPreset(width, height);
  return (
    <fieldset className="size-control">
      <legend>Size</legend>
      <label className="inline-field">
        <span>Resolution</span>
        <select
          aria-label="Resolution"
          value={preset ? `${width}x${height}` : 'custom'}
          onChange={(e) => {
            const p = SIZE_PRESETS.find((s) => `${s.width}x${s.height}` === e.target.value);
            if (p) setParams({ width: p.width, height: p.height });
          }}
        >
          {SIZE_PRESETS.map((p) => (
            <option key={p.label} value={`${p.width}x${p.height}`}>
              {p.label}
            </option>
          ))}
          <option value="custom">Custom…</option>
        </select>
      </label>
      <div className="row">
        <NumberField
          label="Width"
          integer
          min={16}
          max={4096}
          step={16}
          value={width}
          problem={sideProblem('Width', width)}
          onChange={(v) => setParams({ width: v })}
        />
        <NumberField
          label="Height"
          integer
          min={16}
          max={4096}
          step={16}
          value={height}
          problem={sideProblem('Height', height)}
          onChange={(v) => setParams({ height: v })}
        />
      </div>
    </fieldset>
  );
}
