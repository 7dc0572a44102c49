import { api } from './api.js';
import { $ } from './dom.js';

/** The header pill from /api/errors/health (the last 5 minutes). */
export async function refreshHealth() {
  const pill = $('health');
  try {
    const h = await api('/api/errors/health');
    // Critical only because a simulator said so: the pill says simulated, never critical.
    const simulatedOnly = h.status === 'critical' && h.simulatedCriticalErrors === h.criticalErrors;
    pill.className = 'pill ' + (simulatedOnly ? 'simulated' : h.health);
    pill.querySelector('.t').textContent = simulatedOnly
      ? 'simulated · ' + h.criticalErrors + ' simulated critical, ' + h.errors + ' errors (5 min)'
      : h.status + ' · ' + h.criticalErrors + ' critical, ' + h.errors + ' errors (5 min)';
  } catch {
    pill.querySelector('.t').textContent = 'health unavailable';
  }
}
