// Upload: drag and drop (or choose) a CSV / JSON / JSONL / Parquet file, watch the upload progress, then follow the version to ready or to its error.
import { useEffect, useRef, useState, type DragEvent } from 'react';
import { ApiError, call, postWithProgress } from '../lib/api';
import { ACCEPTED_EXTENSIONS, formatOfFileName, readFileAsBase64 } from '../lib/files';
import { formatBytes, formatCount, versionLabel } from '../lib/format';
import type { Dataset } from '../lib/types';
import { session } from '../lib/session';
import { ApiKeyPrompt } from './api-key-prompt';
import { Link, ProgressBar, errorMessage } from './common';

type Phase =
  | { kind: 'idle' }
  | { kind: 'reading'; fraction: number }
  | { kind: 'uploading'; fraction: number }
  | { kind: 'processing'; datasetId: number }
  | { kind: 'ready'; dataset: Dataset }
  | { kind: 'failed'; message: string }
  | { kind: 'needs-key' };

const POLL_MS = 700;

export function UploadPanel({ groupId, onChanged }: { groupId: number; onChanged: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [dragging, setDragging] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const onChangedRef = useRef(onChanged);
  onChangedRef.current = onChanged;

  // Follow the processing version until the job publishes or fails it.
  useEffect(() => {
    if (phase.kind !== 'processing') return;
    let live = true;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      try {
        const { dataset } = await call('GET', '/api/public/v2/datasets/{id}', { path: { id: phase.datasetId } });
        if (!live) return;
        if (dataset.status === 'ready') {
          setPhase({ kind: 'ready', dataset });
          onChangedRef.current();
          return;
        }
        if (dataset.status === 'failed') {
          setPhase({ kind: 'failed', message: dataset.error ?? 'the import failed' });
          onChangedRef.current();
          return;
        }
      } catch (e) {
        // A failed draft may be cleaned up (404): report it rather than polling forever.
        if (!live) return;
        if (e instanceof ApiError && e.status === 404) {
          setPhase({ kind: 'failed', message: 'the new version was removed before it finished' });
          return;
        }
      }
      timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [phase]);

  const choose = (f: File | undefined | null) => {
    if (!f) return;
    setFile(f);
    setPhase(
      formatOfFileName(f.name)
        ? { kind: 'idle' }
        : { kind: 'failed', message: `“${f.name}” is not a supported file: use ${ACCEPTED_EXTENSIONS.join(', ')}.` },
    );
  };

  const upload = async () => {
    if (!file || !formatOfFileName(file.name)) return;
    // from-file takes API keys only: ask for one before reading, so the file is read and sent once.
    if (!session.apiKey()) {
      setPhase({ kind: 'needs-key' });
      return;
    }
    try {
      setPhase({ kind: 'reading', fraction: 0 });
      const base64 = await readFileAsBase64(file, (fraction) => setPhase({ kind: 'reading', fraction }));
      setPhase({ kind: 'uploading', fraction: 0 });
      const body = JSON.stringify({ dataset_group_id: groupId, file_name: file.name, file_content_base64: base64 });
      const res = await postWithProgress(
        '/api/public/v2/dataset-versions/from-file',
        body,
        (fraction) => setPhase({ kind: 'uploading', fraction }),
        'api_key',
      );
      setPhase({ kind: 'processing', datasetId: res.dataset_id });
      onChangedRef.current();
    } catch (e) {
      if (e instanceof ApiError && e.apiKeyOnly) setPhase({ kind: 'needs-key' });
      else setPhase({ kind: 'failed', message: errorMessage(e) });
    }
  };

  const busy = phase.kind === 'reading' || phase.kind === 'uploading' || phase.kind === 'processing';
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (!busy) choose(e.dataTransfer.files[0]);
  };

  return (
    <section className="panel upload" aria-labelledby="upload-title">
      <h2 id="upload-title">Upload a file as a new version</h2>
      <div
        className={`dropzone${dragging ? ' dragging' : ''}`}
        role="button"
        tabIndex={0}
        aria-label="Choose a file to upload, or drop one here"
        data-testid="dropzone"
        onClick={() => !busy && inputRef.current?.click()}
        onKeyDown={(e) => {
          if ((e.key === 'Enter' || e.key === ' ') && !busy) {
            e.preventDefault();
            inputRef.current?.click();
          }
        }}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        {file ? (
          <span>
            <strong>{file.name}</strong> · {formatBytes(file.size)}
          </span>
        ) : (
          <span>
            Drop a <strong>CSV, JSON, JSONL or Parquet</strong> file here, or click to choose one (up to 100 MB).
          </span>
        )}
        <input
          ref={inputRef}
          type="file"
          hidden
          accept={ACCEPTED_EXTENSIONS.join(',')}
          data-testid="file-input"
          onChange={(e) => choose(e.target.files?.[0])}
        />
      </div>
      <div className="upload-actions">
        <button type="button" disabled={!file || busy || !formatOfFileName(file.name)} onClick={() => void upload()}>
          Upload
        </button>
        {phase.kind === 'reading' ? <ProgressBar fraction={phase.fraction} label="Reading file" /> : null}
        {phase.kind === 'uploading' ? <ProgressBar fraction={phase.fraction} label="Uploading" /> : null}
        {phase.kind === 'processing' ? (
          <span className="status-line" role="status">
            <span className="spinner" aria-hidden="true" /> Uploaded. Processing the file…
          </span>
        ) : null}
        {phase.kind === 'ready' ? (
          <span className="status-line ok" role="status">
            ✓ {versionLabel(phase.dataset.version_number)} is ready with {formatCount(phase.dataset.row_count)} rows.{' '}
            <Link to={`/datasets/versions/${phase.dataset.id}`}>View rows</Link>
          </span>
        ) : null}
      </div>
      {phase.kind === 'failed' ? (
        <div className="error" role="alert">
          Upload failed: {phase.message}
        </div>
      ) : null}
      {phase.kind === 'needs-key' ? (
        <ApiKeyPrompt onReady={() => void upload()} onCancel={() => setPhase({ kind: 'idle' })} />
      ) : null}
    </section>
  );
}
