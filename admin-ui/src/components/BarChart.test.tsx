import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { BarChart, niceMax } from './BarChart';

describe('niceMax', () => {
  it('rounds the axis up to 1, 2 or 5 times a power of ten', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(3)).toBe(5);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(120)).toBe(200);
    expect(niceMax(1000)).toBe(1000);
  });
});

describe('BarChart', () => {
  it('draws one bar per value in SVG attributes, with no inline style, and a data table', () => {
    const { container } = render(
      <BarChart title="Transfers" labels={['10:00', '11:00']}
        series={[{ name: 'Uploads', className: 'series-up', values: [1, 4] }, { name: 'Downloads', className: 'series-down', values: [0, 2] }]} />,
    );
    const bars = container.querySelectorAll('rect.bar');
    expect(bars).toHaveLength(4);
    const tallest = [...bars].find((b) => b.querySelector('title')?.textContent === '11:00: Uploads 4')!;
    expect(Number(tallest.getAttribute('height'))).toBeGreaterThan(Number(bars[0].getAttribute('height')));
    expect(container.querySelector('[style]')).toBeNull();
    expect(screen.getByRole('img', { name: /Transfers/ })).toBeInTheDocument();
    expect(screen.getByRole('row', { name: '11:00 4 2' })).toBeInTheDocument();
  });
});
