import { formatBytes, formatCount } from '../lib/format';

interface UsageMeterProps {
  label: string;
  used: number;
  max: number;
  bytes?: boolean;
}

/** Usage against a quota as a <meter> (no inline styles, so the CSP needs no exception). */
export function UsageMeter({ label, used, max, bytes = true }: UsageMeterProps) {
  const format = bytes ? formatBytes : formatCount;
  if (!max) {
    return <span className="usage">{format(used)} <span className="muted">(no limit)</span></span>;
  }
  const percent = Math.round((used / max) * 100);
  return (
    <span className="usage">
      <meter min={0} max={max} value={Math.min(used, max)} low={max * 0.8} high={max * 0.95} optimum={0}
        aria-label={`${label}: ${percent}% used`}>{percent}%</meter>
      <span>{format(used)} of {format(max)} ({percent}%)</span>
    </span>
  );
}
