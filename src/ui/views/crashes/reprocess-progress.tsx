// Progress of the background re-evaluation of crash records after a blacklist change or
// a reset: the latest job, polled every 2 s while it runs or waits.

import { useEffect, useState } from 'preact/hooks';
import { listReprocessJobs, type ApiError, type ReprocessJob } from '../../api-client.ts';
import { ErrorNote } from '../../components/status.tsx';
import { formatCount } from '../../format.ts';
import { asApiError } from '../../use-api.ts';

const POLL_MS = 2_000;

/** `refresh` changes after an action that may have queued a job. */
export function ReprocessProgress({ refresh }: { refresh: number }) {
  const [job, setJob] = useState<ReprocessJob | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    let stopped = false;
    let timer = 0;
    const poll = async () => {
      try {
        const { jobs } = await listReprocessJobs();
        if (stopped) return;
        const latest = jobs[0] ?? null;
        setJob(latest);
        setError(null);
        if (latest && latest.finished_at === null) timer = window.setTimeout(() => void poll(), POLL_MS);
      } catch (err) {
        if (!stopped) setError(asApiError(err));
      }
    };
    void poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [refresh]);
  if (error) return <ErrorNote error={error} what="Reprocessing progress" />;
  if (!job) return <p class="muted">No reprocessing has been requested yet.</p>;
  const percent = job.total > 0 ? Math.floor((100 * job.done) / job.total) : job.finished_at ? 100 : 0;
  const status = job.finished_at ? 'finished' : job.started_at ? 'running' : 'waiting to start';
  return (
    <div class="reprocess" role="status" aria-live="polite">
      <p>
        Reprocessing job {job.id} ({job.reason}): <strong>{status}</strong>
        {job.started_at ? ` — ${formatCount(job.done)} of ${formatCount(job.total)} crash records (${percent}%)` : ''}
      </p>
      <progress max={100} value={percent} aria-label="Reprocessing progress">
        {percent}%
      </progress>
    </div>
  );
}
