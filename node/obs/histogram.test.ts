import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './histogram.ts';

describe('LatencyHistogram', () => {
  it('renders cumulative buckets, sum and count', () => {
    const h = new LatencyHistogram('x_seconds', 'test', [0.01, 0.1]);
    h.observe(0.005);
    h.observe(0.05);
    h.observe(3);
    const text = h.render('op="put"');
    expect(text).toContain('x_seconds_bucket{op="put",le="0.01"} 1');
    expect(text).toContain('x_seconds_bucket{op="put",le="0.1"} 2');
    expect(text).toContain('x_seconds_bucket{op="put",le="+Inf"} 3');
    expect(text).toContain('x_seconds_count{op="put"} 3');
    expect(text).toMatch(/x_seconds_sum\{op="put"\} 3\.055/);
  });
});
