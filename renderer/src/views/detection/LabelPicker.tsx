import { OBJECT_LABELS, type ObjectLabel } from '../../../../main/api/detection.js';

/** Checkboxes for the labels detection reports (person, vehicle, …). */
export function LabelPicker({
  value,
  onChange,
  disabled,
  testId,
  legend = 'Objects',
}: {
  value: readonly ObjectLabel[];
  onChange: (v: ObjectLabel[]) => void;
  disabled?: boolean;
  testId?: string;
  legend?: string;
}) {
  return (
    <fieldset className="label-picker" data-testid={testId} disabled={disabled}>
      <legend>{legend}</legend>
      {OBJECT_LABELS.map((l) => (
        <label key={l} className={value.includes(l) ? 'on' : ''}>
          <input
            type="checkbox"
            checked={value.includes(l)}
            onChange={(e) => onChange(e.target.checked ? OBJECT_LABELS.filter((x) => x === l || value.includes(x)) : value.filter((x) => x !== l))}
            data-testid={testId ? `${testId}-${l}` : undefined}
          />{' '}
          {l}
        </label>
      ))}
    </fieldset>
  );
}
