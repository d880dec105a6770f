// The records filter form (reference §8.1 filter modal, with every field working):
// submitting writes the non-empty values into the URL. Choice lists load on first open.

import { useState } from 'preact/hooks';
import { getBuildStats, getClassificationStats } from '../../api-client.ts';
import { compareBuilds } from '../../format.ts';
import { classificationChoices, RECORD_FILTER_KEYS, type RecordsViewFilter } from './records-query.ts';

interface Choices {
  classifications: string[];
  builds: string[];
}

export function RecordFilterForm({ filter, onApply }: { filter: RecordsViewFilter; onApply: (filter: RecordsViewFilter) => void }) {
  const active = RECORD_FILTER_KEYS.filter((k) => filter[k] !== undefined).length;
  const [choices, setChoices] = useState<Choices | null>(null);
  const loadChoices = () => {
    if (choices) return;
    setChoices({ classifications: [], builds: [] });
    Promise.all([getClassificationStats({}), getBuildStats({})]).then(
      ([c, b]) =>
        setChoices({
          classifications: classificationChoices(c.classifications.map((x) => x.classification)),
          builds: b.builds.map((x) => x.build).sort((x, y) => compareBuilds(y, x)),
        }),
      () => undefined, // the lists only help typing; the form works without them
    );
  };
  const submit = (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const next: RecordsViewFilter = {};
    for (const key of RECORD_FILTER_KEYS) {
      const value = String(data.get(key) ?? '').trim();
      if (value !== '' && value !== 'all') next[key] = value;
    }
    onApply(next);
  };
  // A new key per filter resets the uncontrolled fields when the URL changes (back/forward, links).
  const formKey = JSON.stringify(filter);
  return (
    <details class="filters" open={active > 0} onToggle={(e) => (e.currentTarget as HTMLDetailsElement).open && loadChoices()}>
      <summary>Filters{active > 0 ? ` (${active} active)` : ''}</summary>
      <form key={formKey} class="filter-form" onSubmit={submit} onFocusIn={loadChoices}>
        <label>
          <span>Source</span>
          <select name="data_source">
            {[
              ['all', 'All'],
              ['external', 'External'],
              ['internal', 'Internal'],
            ].map(([value, label]) => (
              <option key={value} value={value} selected={(filter.data_source ?? 'all') === value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Machine ID</span>
          <input name="machine_id" defaultValue={filter.machine_id ?? ''} maxLength={32} autoComplete="off" />
        </label>
        <label>
          <span>Classification</span>
          <input name="classification" defaultValue={filter.classification ?? ''} list="classification-choices" placeholder="e.g. org.clearlinux/crash/*" autoComplete="off" />
        </label>
        <label>
          <span>Severity</span>
          <select name="severity">
            {[
              ['all', 'All'],
              ['1', '1 - low'],
              ['2', '2 - med'],
              ['3', '3 - high'],
              ['4', '4 - crit'],
            ].map(([value, label]) => (
              <option key={value} value={value} selected={(filter.severity ?? 'all') === value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>OS name</span>
          <input name="system_name" defaultValue={filter.system_name ?? ''} placeholder="e.g. clear-linux-os" autoComplete="off" />
        </label>
        <label>
          <span>Build</span>
          <input name="build" defaultValue={filter.build ?? ''} list="build-choices" autoComplete="off" />
        </label>
        <label>
          <span>Payload REGEX</span>
          <input name="payload" defaultValue={filter.payload ?? ''} autoComplete="off" spellcheck={false} />
        </label>
        <label>
          <span>Payload NOT REGEX</span>
          <input name="not_payload" defaultValue={filter.not_payload ?? ''} autoComplete="off" spellcheck={false} />
        </label>
        <label>
          <span>From date (client time)</span>
          <input type="date" name="from_date" defaultValue={filter.from_date ?? ''} />
        </label>
        <label>
          <span>To date (excluded)</span>
          <input type="date" name="to_date" defaultValue={filter.to_date ?? ''} />
        </label>
        <div class="form-actions">
          <button type="submit" class="primary">
            Apply filters
          </button>
          <button type="button" onClick={() => onApply({})} disabled={active === 0}>
            Clear
          </button>
        </div>
        <datalist id="classification-choices">
          {choices?.classifications.map((c) => <option key={c} value={c} />)}
        </datalist>
        <datalist id="build-choices">
          {choices?.builds.map((b) => <option key={b} value={b} />)}
        </datalist>
      </form>
    </details>
  );
}
