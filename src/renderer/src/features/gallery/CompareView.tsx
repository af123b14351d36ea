/**
 * Compare two generations side by side: both images, a field-by-field diff of their XML prompts (per block, per
 * field, tag by tag: added / removed), and their parameters with the differing rows marked.
 */
import type { HistoryImage } from '../../../../shared/apiTypes';
import { imageUrl } from '../../api';
import { Dialog } from '../../components/Dialog';
import { useGallery } from './galleryStore';
import { diffParams, diffPrompts, type FieldDiff } from './promptDiff';
import { useEntry } from './useEntry';

const STATUS_WORD = { same: 'same', changed: 'changed', added: 'only right', removed: 'only left' } as const;

function TagCell({ diff, side }: { diff: FieldDiff; side: 'left' | 'right' }) {
  const value = diff[side];
  if (value === null) return <td className="absent">—</td>;
  const tags = diff.tags.filter((t) => (side === 'left' ? t.status !== 'added' : t.status !== 'removed'));
  return (
    <td>
      {tags.map((t, i) => (
        <span
          key={`${t.tag}-${i}`}
          className={`tag tag-${t.status}`}
          title={
            t.status === 'same' ? undefined : t.status === 'added' ? 'only on the right' : 'only on the left'
          }
        >
          {t.tag}
          {i < tags.length - 1 ? ', ' : ''}
        </span>
      ))}
    </td>
  );
}

function Side({ image, label }: { image: HistoryImage | undefined; label: string }) {
  return (
    <figure className="compare-image">
      {image ? (
        <img src={imageUrl(image.path)} alt={`${label}: seed ${image.seed ?? '?'}`} />
      ) : (
        <p>Not found</p>
      )}
      <figcaption>{label}</figcaption>
    </figure>
  );
}

/** The compare dialog for the pair picked in the gallery store (`compare`); closed while there is none. */
export function CompareView() {
  const pair = useGallery((s) => s.compare);
  const left = useEntry(pair?.[0].generationId ?? null);
  const right = useEntry(pair?.[1].generationId ?? null);
  const close = () => useGallery.getState().openCompare(null);
  const ready = left.status === 'ready' && right.status === 'ready' && pair !== null;
  return (
    <Dialog title="Compare generations" open={pair !== null} onClose={close} className="compare-dialog">
      {!ready && (
        <p role="status">
          {left.status === 'error'
            ? left.message
            : right.status === 'error'
              ? right.message
              : left.status === 'missing' || right.status === 'missing'
                ? 'One of these generations is no longer in the history.'
                : 'Loading…'}
        </p>
      )}
      {ready && (
        <>
          <div className="compare-images">
            <Side image={left.entry.images.find((i) => i.id === pair[0].imageId)} label="Left" />
            <Side image={right.entry.images.find((i) => i.id === pair[1].imageId)} label="Right" />
          </div>
          <table className="diff-table" aria-label="Prompt differences">
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Left</th>
                <th scope="col">Right</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {diffPrompts(left.entry.request.prompt, right.entry.request.prompt).map((d) => (
                <tr key={`${d.block}/${d.field}`} className={`diff-${d.status}`}>
                  <th scope="row">{d.block === d.field ? d.field : `${d.block} › ${d.field}`}</th>
                  <TagCell diff={d} side="left" />
                  <TagCell diff={d} side="right" />
                  <td>{STATUS_WORD[d.status]}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table className="diff-table" aria-label="Parameter differences">
            <thead>
              <tr>
                <th scope="col">Parameter</th>
                <th scope="col">Left</th>
                <th scope="col">Right</th>
              </tr>
            </thead>
            <tbody>
              {diffParams(left.entry, right.entry).map((p) => (
                <tr key={p.name} className={p.same ? 'diff-same' : 'diff-changed'}>
                  <th scope="row">{p.name}</th>
                  <td>{p.left}</td>
                  <td>{p.right}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Dialog>
  );
}
