// The comment / hide dialog of a guilty (reference §8.5): a comment of at most 80
// characters (empty clears it) and "hide from the top lists".

import { useEffect, useRef, useState } from 'preact/hooks';
import { updateGuilty, type ApiError } from '../../api-client.ts';
import { ErrorNote } from '../../components/status.tsx';
import { guiltyLabel } from '../../format.ts';
import { asApiError } from '../../use-api.ts';

/** reference §8.5: comment at most 80 characters */
const MAX_COMMENT = 80;

export function CommentDialog({ guilty, onClose }: { guilty: { id: number; function: string; module: string; comment: string | null }; onClose: (changed: boolean) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  const submit = async (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const comment = String(data.get('comment') ?? '').trim();
    const hide = data.get('hidden') === 'yes';
    setSaving(true);
    try {
      await updateGuilty(guilty.id, hide ? { comment: comment === '' ? null : comment, hidden: true } : { comment: comment === '' ? null : comment });
      dialog.current?.close();
      onClose(true);
    } catch (err) {
      setError(asApiError(err));
      setSaving(false);
    }
  };
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="comment-dialog-title" onCancel={() => onClose(false)}>
      <form onSubmit={(e) => void submit(e)}>
        <h2 id="comment-dialog-title">Guilty {guilty.id}</h2>
        <p>
          <code>{guiltyLabel(guilty)}</code>
        </p>
        <label class="stacked">
          <span>Comment (at most {MAX_COMMENT} characters; empty clears it)</span>
          <input name="comment" maxLength={MAX_COMMENT} defaultValue={guilty.comment ?? ''} autoFocus autoComplete="off" />
        </label>
        <label class="checkbox">
          <input type="checkbox" name="hidden" value="yes" />
          <span>Hide this guilty from the top crash lists</span>
        </label>
        {error ? <ErrorNote error={error} what="Saving" /> : null}
        <div class="form-actions">
          <button type="submit" class="primary" disabled={saving}>
            Save
          </button>
          <button
            type="button"
            onClick={() => {
              dialog.current?.close();
              onClose(false);
            }}
          >
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
