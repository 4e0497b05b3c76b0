// Platform health: each service's liveness and every table's latency, every 10 seconds.
import { useEffect, useState } from 'preact/hooks';
import { call } from '../api';
import { useTitle } from '../hooks';
import { describe } from '../problems';
import type { DatabaseHealth, HealthStatus } from '../types';
import { DateTime, Loading } from '../ui';

const SERVICES = ['customers', 'inventory', 'sales', 'reviews'];
const EVERY_MS = 10_000;

interface Check {
  service: string;
  status: HealthStatus | null;
  error: string | null;
}

interface Report {
  at: string;
  services: Check[];
  database: DatabaseHealth | null;
  databaseError: string | null;
}

async function check(): Promise<Report> {
  const services = await Promise.all(
    ['platform', ...SERVICES].map(async (service): Promise<Check> => {
      const path = service === 'platform' ? '/health/status' : `/${service}/health/status`;
      try {
        return { service, status: (await call<HealthStatus>('GET', path)).data, error: null };
      } catch (e) {
        return { service, status: null, error: describe(e) };
      }
    }),
  );
  let database: DatabaseHealth | null = null;
  let databaseError: string | null = null;
  try {
    // 503 carries the same report, naming the tables that did not answer.
    database = (await call<DatabaseHealth>('GET', '/health/database', { accept: [503] })).data;
  } catch (e) {
    databaseError = describe(e);
  }
  return { at: new Date().toISOString(), services, database, databaseError };
}

export function HealthView() {
  useTitle('Health', 'Shop admin');
  const [report, setReport] = useState<Report | null>(null);
  const [busy, setBusy] = useState(false);
  const refresh = async () => {
    setBusy(true);
    try {
      setReport(await check());
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, EVERY_MS);
    return () => clearInterval(timer);
  }, []);

  return (
    <>
      <h1>Health</h1>
      <p class="actions">
        <span>
          Last checked: {report ? <DateTime iso={report.at} /> : 'not yet'} (every 10 seconds)
        </span>
        <button type="button" class="secondary" disabled={busy} onClick={refresh}>Check now</button>
      </p>
      {!report && <Loading label="Checking services…" />}
      {report && (
        <>
          <h2>Services</h2>
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Service status</caption>
              <thead><tr><th scope="col">Service</th><th scope="col">Status</th><th scope="col">Version</th></tr></thead>
              <tbody>
                {report.services.map((s) => (
                  <tr key={s.service}>
                    <th scope="row">{s.service}</th>
                    <td><span class={`tag status-${s.status ? 'ok' : 'unavailable'}`}>{s.status ? s.status.status : 'unavailable'}</span> {s.error}</td>
                    <td>{s.status?.version ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2>Database</h2>
          {report.databaseError && <p class="field-error" role="alert">{report.databaseError}</p>}
          {report.database && (
            <>
              <p>Overall: <span class={`tag status-${report.database.status}`}>{report.database.status}</span></p>
              <div class="table-wrap">
                <table>
                  <caption class="visually-hidden">Tables</caption>
                  <thead><tr><th scope="col">Service</th><th scope="col">Table</th><th scope="col">Status</th><th scope="col" class="num">Latency</th></tr></thead>
                  <tbody>
                    {report.database.tables.map((t) => (
                      <tr key={`${t.service}/${t.table}`}>
                        <td>{t.service}</td>
                        <th scope="row">{t.table}</th>
                        <td><span class={`tag status-${t.status}`}>{t.status}</span></td>
                        <td class="num">{t.latency_ms} ms</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </>
      )}
    </>
  );
}
