import type { RunReport } from '../run-report.ts';
import { esc, metric } from './html-metric.ts';

const LISTED = 50;

/** Each scheduled fault: when it held, what its window sent and lost, the errors lost, recovery. */
export function faultsSection(r: RunReport): string {
  const faults = r.faults ?? [];
  if (faults.length === 0) return '';
  const at = (ms: number | null): string => (ms === null ? '–' : `${(ms / 1000).toFixed(2)} s`);
  const rows = faults.map(
    (f, i) => `<tr>
<th scope="row"><code>${metric(`faults.${i}.label`, f.label)}</code><br><small>${esc(f.spec)}</small>${f.failed === undefined ? '' : `<br><span class="warn">could not be injected: ${esc(f.failed)}</span>`}</th>
<td>${f.started_ms === null ? 'not run' : `${esc(at(f.started_ms))}–${esc(at(f.ended_ms))}`}</td>
${(['sent', 'delivered', 'lost_count'] as const).map((k) => `<td class="num">${metric(`faults.${i}.${k}`, f[k])}</td>`).join('')}
<td class="num">${metric(`faults.${i}.errors_lost.count`, f.errors_lost.length)} of ${esc(String(f.errors_sent))}</td>
<td class="num">${metric(`faults.${i}.recovery_ms`, f.recovery_ms ?? 'none')}</td>
</tr>`,
  );
  const lostLists = faults
    .filter((f) => f.lost.length + f.errors_lost.length > 0)
    .map(
      (f) =>
        `<h3>Lost in ${esc(f.label)}</h3><p>${[...f.lost.slice(0, LISTED), ...f.errors_lost.slice(0, LISTED)].map((id) => `<code>${esc(id)}</code>`).join(' ')}${f.lost_count > LISTED ? ` … (the JSON report lists ${esc(String(f.lost.length))})` : ''}</p>`,
    );
  return `<section aria-labelledby="h-faults">
<h2 id="h-faults">Faults</h2>
<p>Each fault's window runs from its start until every client has a flow sent after its end; recovery is the time from its end to the first receipt of a flow sent after it (ms).</p>
<table>
<thead><tr><th scope="col">fault</th><th scope="col">held</th><th scope="col">sent</th><th scope="col">delivered</th><th scope="col">lost</th><th scope="col">errors lost</th><th scope="col">recovery (ms)</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
${lostLists.join('\n')}
</section>`;
}
