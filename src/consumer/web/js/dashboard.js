// The page's entry: asks for the stored errors first (they are what it shows first), then wires each
// panel to its stream.
import { api } from './api.js';
import { $, el, probe } from './dom.js';
import { showAlert } from './alerts.js';
import { watchConnection } from './connection.js';
import { addError, openableRows, renderFilters, showStored } from './error-list.js';
import { refreshHealth } from './health.js';
import { showFlows } from './flows-panel.js';
import { showHops } from './hops-panel.js';
import { closeSecond, recordLatency } from './latency-chart.js';
import { drawHistogram, recordForHistogram } from './latency-histogram.js';
import { showLiveness } from './liveness-panel.js';
import { criticalBanner, dismissableBanner, toast } from './notices.js';
import { everySecond, latencyOf, showPattern } from './pattern-flow.js';
import { showUnavailable } from './pipeline-state.js';
import { openSockets } from './sockets.js';
import { askForToken } from './token-form.js';
import { timed } from './update-timing.js';

const initial = Promise.all([api('/api/errors/recent?limit=100'), api('/api/errors/statistics?hours=24')]);

async function load() {
  const [recent, stats] = await initial;
  showStored(recent, stats);
  probe.loaded = true;
  // Loaded = the frame that shows the errors has been painted (the task after its frame).
  requestAnimationFrame(() =>
    setTimeout(() => {
      probe.loadedAt = performance.now();
      document.body.dataset.loaded = 'true';
    }),
  );
}

renderFilters();
openableRows();
dismissableBanner();
const sockets = openSockets();
watchConnection(sockets);
sockets.monitoring.on('tickstock_error', (e) => {
  addError(e);
  if (e.severity === 'error' || e.severity === 'critical') toast(e);
  if (e.severity === 'critical') {
    criticalBanner(e);
    void refreshHealth();
  }
});
sockets.monitoring.on('alert', showAlert);
sockets.monitoring.on(
  'pipeline_aggregate',
  timed('update: aggregate', (a) => {
    showUnavailable(a);
    showFlows(a);
    showLiveness(a);
    showHops(a);
    probe.aggregate = a;
  }),
);
sockets.monitoring.on(
  'pattern_sample',
  timed('update: pattern', (p) => {
    const ms = latencyOf(p);
    recordLatency(ms);
    recordForHistogram(ms);
    showPattern(p, ms);
  }),
);
setInterval(
  timed('update: second', () => {
    everySecond();
    closeSecond();
    drawHistogram();
  }),
  1000,
);

load().catch((err) => {
  if (err.status === 401) return askForToken();
  $('errors').replaceChildren(el('div', 'empty', 'Could not load errors: ' + err.message));
});
void refreshHealth();
setInterval(refreshHealth, 5000);
