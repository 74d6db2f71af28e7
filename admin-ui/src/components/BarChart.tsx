// A grouped bar chart drawn as SVG: geometry goes in SVG attributes (not style), so the strict
// CSP (style-src 'self') holds; colours come from classes in styles.css. The same data is
// offered as a table for screen readers and keyboard users.
import { useId } from 'react';

export interface Series {
  name: string;
  className: string;
  values: number[];
}

interface BarChartProps {
  title: string;
  labels: string[];
  series: Series[];
  format?: (value: number) => string;
}

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { top: 12, right: 8, bottom: 28, left: 64 };

/** A "nice" upper bound for the axis: 1, 2 or 5 times a power of ten, at least the maximum. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= max) return step * power;
  }
  return 10 * power;
}

export function BarChart({ title, labels, series, format = String }: BarChartProps) {
  const id = useId();
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const groupWidth = plotWidth / Math.max(1, labels.length);
  const barWidth = Math.max(1, (groupWidth * 0.8) / Math.max(1, series.length));
  const labelEvery = Math.ceil(labels.length / 12);
  const y = (v: number) => PAD.top + plotHeight - (v / max) * plotHeight;
  const total = series.map((s) => `${s.name} ${format(s.values.reduce((a, b) => a + b, 0))}`).join(', ');

  return (
    <figure className="chart">
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <ul className="legend" aria-hidden="true">
        {series.map((s) => <li key={s.name}><span className={`swatch ${s.className}`} />{s.name}</li>)}
      </ul>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} preserveAspectRatio="none">
        <desc id={`${id}-desc`}>{`Totals: ${total}.`}</desc>
        {[0, 0.5, 1].map((f) => (
          <g key={f} className="grid">
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(max * f)} y2={y(max * f)} />
            <text x={PAD.left - 6} y={y(max * f) + 4} textAnchor="end">{format(max * f)}</text>
          </g>
        ))}
        {labels.map((label, i) => (
          <g key={label + i}>
            {series.map((s, j) => {
              const value = s.values[i] ?? 0;
              const top = y(value);
              return (
                <rect key={s.name} className={`bar ${s.className}`} x={PAD.left + i * groupWidth + groupWidth * 0.1 + j * barWidth}
                  y={top} width={barWidth} height={PAD.top + plotHeight - top}>
                  <title>{`${label}: ${s.name} ${format(value)}`}</title>
                </rect>
              );
            })}
            {i % labelEvery === 0 && (
              <text className="axis-label" x={PAD.left + i * groupWidth + groupWidth / 2} y={HEIGHT - 8} textAnchor="middle">{label}</text>
            )}
          </g>
        ))}
      </svg>
      <details className="chart-data">
        <summary>Show the data as a table</summary>
        <div className="table-wrap">
          <table>
            <thead><tr><th scope="col">Period</th>{series.map((s) => <th key={s.name} scope="col">{s.name}</th>)}</tr></thead>
            <tbody>
              {labels.map((label, i) => (
                <tr key={label + i}><th scope="row">{label}</th>{series.map((s) => <td key={s.name}>{format(s.values[i] ?? 0)}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
