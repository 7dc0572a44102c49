/**
 * The HTML report's styles, inline in the page. Every text colour reaches WCAG AA on its background (4.5:1
 * or more: #1f2937 and #4b5563 on white, white on #166534 and #991b1b); the bars, 3:1 or more against white.
 */
export const REPORT_CSS = `
:root { color-scheme: light; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1f2937; background: #fff; }
main, footer { max-width: 64rem; margin: 0 auto; padding: 0 1.25rem; }
footer { color: #4b5563; font-size: 0.875rem; padding-bottom: 2rem; }
h1 { font-size: 1.5rem; margin: 1.5rem 0 1rem; display: flex; align-items: center; gap: 1rem; flex-wrap: wrap; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.5rem; border-bottom: 1px solid #d1d5db; padding-bottom: 0.25rem; }
h3 { font-size: 1rem; margin: 0 0 0.25rem; }
p { margin: 0.25rem 0 0.75rem; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; overflow-wrap: anywhere; }
.verdict { font-size: 3rem; font-weight: 800; letter-spacing: 0.05em; color: #fff; padding: 0.1rem 1.25rem; border-radius: 0.5rem; }
.verdict.pass { background: #166534; }
.verdict.fail { background: #991b1b; }
.facts { display: flex; flex-wrap: wrap; gap: 0.5rem 2rem; margin: 0; }
.facts dt { color: #4b5563; font-size: 0.875rem; }
.facts dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
caption { text-align: left; color: #4b5563; font-size: 0.875rem; }
th, td { text-align: left; padding: 0.25rem 0.75rem 0.25rem 0; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
thead th { color: #4b5563; font-weight: 600; font-size: 0.875rem; }
tbody th { font-weight: 500; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.ok td:first-child { color: #166534; font-weight: 700; }
tr.failed td:first-child { color: #991b1b; font-weight: 700; }
.latency { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 1fr); gap: 2rem; }
@media (max-width: 48rem) { .latency { grid-template-columns: minmax(0, 1fr); } }
figure { margin: 0; }
aside { border-left: 3px solid #d1d5db; padding-left: 1rem; }
aside p { color: #4b5563; font-size: 0.875rem; }
.chart { max-width: 40rem; display: block; }
.chart text { fill: #1f2937; font-size: 13px; font-variant-numeric: tabular-nums; }
.chart .axis { font-weight: 600; }
.chart .baseline { stroke: #4b5563; }
.bar-measured { fill: #1d4ed8; background: #1d4ed8; }
.bar-warmup { fill: #64748b; background: #64748b; }
.bar-floor { fill: #0f766e; background: #0f766e; }
.chart .tick { fill: #4b5563; font-size: 11px; }
.chart .grid { stroke: #e5e7eb; }
.chart polyline { fill: none; stroke-width: 1.5; }
.chart polyline.line-delivered { stroke-dasharray: 6 4; } /* over "sent" when all arrive: both stay seen */
.line-p50 { stroke: #1d4ed8; fill: #1d4ed8; background: #1d4ed8; }
.line-p99 { stroke: #991b1b; fill: #991b1b; background: #991b1b; }
.line-sent { stroke: #64748b; fill: #64748b; background: #64748b; }
.line-delivered { stroke: #0f766e; fill: #0f766e; background: #0f766e; }
figcaption { color: #4b5563; font-size: 0.875rem; }
.legend { font-size: 0.875rem; color: #4b5563; }
.legend .key { display: inline-block; width: 0.9rem; height: 0.9rem; vertical-align: -0.1rem; margin-left: 0.5rem; }
.warn { background: #fef3c7; color: #78350f; padding: 0.5rem 0.75rem; border-radius: 0.25rem; }
`;
