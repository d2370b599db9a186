import { useCallback, useState } from 'react';
import { usePolling } from '../hooks/usePolling';
import { labApi } from '../lib/api';
import { useLabSession } from '../lib/session';

export interface SwitchInfo<Name extends string> {
  name: Name;
  label: string;
  /** What it prevents (a pattern) or what it buys (a fix), in one line. */
  prevents: string;
}

/**
 * A card of on/off switches read from and written to one lab API path: the microservices' reliability patterns
 * (/lab/patterns, in the Faults tab) and the monolith's fixes (/lab/fixes, in its pane). Anyone sees them; only the
 * lab admin changes them. A 404 from the stack says the switches are not there.
 */
export function Switches<Name extends string>({
  path,
  title,
  switches,
  testId,
  itemTestId,
  unavailableText,
}: {
  path: string;
  title: string;
  switches: SwitchInfo<Name>[];
  testId: string;
  itemTestId: string;
  unavailableText: string;
}) {
  const session = useLabSession();
  const [values, setValues] = useState<Record<Name, boolean> | null>(null);
  const [unavailable, setUnavailable] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const read = useCallback(
    async (mounted: () => boolean) => {
      const result = await labApi.get<Record<Name, boolean>>(path);
      if (!mounted()) return;
      if (result.ok) {
        setValues(result.body);
        setUnavailable(null);
      } else setUnavailable(result.status === 404 ? unavailableText : (result.error?.message ?? 'failed'));
    },
    [path, unavailableText],
  );
  usePolling(read, 5000);

  const set = async (name: Name, on: boolean) => {
    const result = await labApi.put<Record<Name, boolean>>(path, { [name]: on });
    if (result.ok) setValues(result.body);
    setMessage(result.ok ? null : (result.error?.message ?? 'failed'));
  };

  return (
    <div className="card" data-testid={testId}>
      <h3>{title}</h3>
      {unavailable && (
        <p className="muted" data-testid={`${testId}-unavailable`}>
          {unavailable}
        </p>
      )}
      <ul className="patterns">
        {switches.map((item) => (
          <li key={item.name}>
            <label className="inline">
              <input
                type="checkbox"
                checked={values?.[item.name] ?? false}
                disabled={!values || !session.logged_in}
                onChange={(e) => void set(item.name, e.target.checked)}
                data-testid={`${itemTestId}-${item.name}`}
              />{' '}
              <b>{item.label}</b>
            </label>{' '}
            <span className="small-text">{item.prevents}</span>
          </li>
        ))}
      </ul>
      {message && <p className="error small-text">{message}</p>}
    </div>
  );
}
