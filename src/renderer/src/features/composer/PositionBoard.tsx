/**
 * The 3×3 position board (conventions.md §5): a radio group whose cells write `<position>` values
 * (`top_left` … `bottom_right`); arrow keys move between cells, a free-text position shows no cell checked.
 */
import { useRef, type KeyboardEvent } from 'react';
import { POSITION_BOARD, positionCell } from '../../../../shared/prompt';

interface PositionBoardProps {
  value: string;
  disabled?: boolean;
  onChange(value: string): void;
}

const words = (v: string) => v.replace(/_/g, ' ');

export function PositionBoard({ value, disabled, onChange }: PositionBoardProps) {
  const cell = positionCell(value);
  const refs = useRef<Array<HTMLButtonElement | null>>([]);
  const focusable = cell ? cell.row * 3 + cell.col : 4;

  const onKey = (e: KeyboardEvent, row: number, col: number) => {
    const moves: Record<string, [number, number]> = {
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
    };
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    const r = Math.min(2, Math.max(0, row + m[0]));
    const c = Math.min(2, Math.max(0, col + m[1]));
    onChange(POSITION_BOARD[r][c]);
    refs.current[r * 3 + c]?.focus();
  };

  return (
    <div className="position-field">
      <span className="position-label" aria-hidden="true">
        Position
      </span>
      <div className="position-board" role="radiogroup" aria-label="Position">
        {POSITION_BOARD.map((row, r) =>
          row.map((pos, c) => {
            const checked = cell !== null && cell.row === r && cell.col === c;
            return (
              <button
                key={pos}
                ref={(el) => {
                  refs.current[r * 3 + c] = el;
                }}
                type="button"
                role="radio"
                aria-checked={checked}
                aria-label={words(pos)}
                title={pos}
                disabled={disabled}
                tabIndex={r * 3 + c === focusable ? 0 : -1}
                className={checked ? 'cell checked' : 'cell'}
                onClick={() => onChange(checked ? '' : pos)}
                onKeyDown={(e) => onKey(e, r, c)}
              />
            );
          }),
        )}
        {!cell && value.trim() !== '' && <span className="position-free">{value}</span>}
      </div>
    </div>
  );
}
