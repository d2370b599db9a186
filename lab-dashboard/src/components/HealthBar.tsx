import { useEffect, useState } from 'react';
import { labApi } from '../lib/api';
import type { HealthReport } from '../../shared/types';

/** A dot per process: the monolith, the gateway and every service behind it. */
export function HealthBar() {
  const [report, setReport] = useState<HealthReport | null>(null);
  useEffect(() => {
    const tick = () => void labApi.get<HealthReport>('/health').then((r) => r.ok && setReport(r.body));
    tick();
    const timer = setInterval(tick, 3000);
    return () => clearInterval(timer);
  }, []);
  if (!report) return null;
  return (
    <ul className="health" data-testid="health">
      {report.processes.map((p) => (
        <li key={p.name} title={`${p.url} ${p.detail ?? ''}`} className={`health-${p.status}`}>
          <span className="dot" />
          {p.name.replace('-service', '')}
        </li>
      ))}
    </ul>
  );
}
