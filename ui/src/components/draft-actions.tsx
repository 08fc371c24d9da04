// "New draft from vN" and "New empty draft": creates the group's draft (or opens / replaces the blank one) and opens its editor.
import { useState } from 'react';
import { ApiError, call } from '../lib/api';
import { draftOf, onDraftConflict } from '../lib/draft-edit';
import { versionLabel } from '../lib/format';
import { navigate } from '../lib/router';
import { useInvalidate, versionChanged } from '../lib/queries';
import type { Dataset } from '../lib/types';
import { Link, errorMessage } from './common';

/** A group has one draft at a time: this is the one in the way, with a link to it. */
export class DraftExistsError extends Error {
  constructor(readonly draft: Dataset) {
    super(
      `This group already has a draft (${draft.row_count.toLocaleString('en-US')} rows). Open it, or save or discard it first.`,
    );
  }
}

/** Creates the group's draft — a copy of `sourceId`, or empty — and returns its id. */
export async function openDraft(groupId: number, sourceId?: number): Promise<number> {
  const create = () =>
    call('POST', '/api/public/v2/dataset-versions/create-draft', {
      body: { dataset_group_id: groupId, source_dataset_id: sourceId },
    });
  try {
    return (await create()).draft_dataset_id;
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 409)) throw e;
    const { datasets } = await call('GET', '/api/public/v2/dataset-groups/{id}', { path: { id: groupId } });
    const existing = draftOf(datasets);
    const decision = onDraftConflict(existing, sourceId);
    if (decision === 'open') return existing!.id;
    if (decision === 'refuse') {
      if (existing) throw new DraftExistsError(existing);
      throw e;
    }
    await call('DELETE', '/api/public/v2/datasets/{id}', { path: { id: existing!.id } });
    return (await create()).draft_dataset_id;
  }
}

/** The buttons, with the error shown beside them. `source` absent: only "New empty draft". */
export function NewDraftButtons({
  groupId,
  source,
  empty = true,
}: {
  groupId: number;
  source?: Dataset;
  empty?: boolean;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const invalidate = useInvalidate();
  const start = async (sourceId?: number) => {
    setBusy(true);
    setError(null);
    try {
      const draftId = await openDraft(groupId, sourceId);
      await invalidate(...versionChanged(groupId));
      navigate(`/datasets/versions/${draftId}`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <span className="draft-actions">
      {source ? (
        <button type="button" className="secondary" disabled={busy} onClick={() => void start(source.id)}>
          New draft from {versionLabel(source.version_number)}
        </button>
      ) : null}
      {empty ? (
        <button type="button" className="secondary" disabled={busy} onClick={() => void start()}>
          New empty draft
        </button>
      ) : null}
      {error ? (
        <span className="error-inline" role="alert">
          {errorMessage(error)}
          {error instanceof DraftExistsError ? (
            <>
              {' '}
              <Link to={`/datasets/versions/${error.draft.id}`}>Open the draft</Link>
            </>
          ) : null}
        </span>
      ) : null}
    </span>
  );
}
