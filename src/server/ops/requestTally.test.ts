import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { requestTallies } from './requestTally.ts';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

describe('request tallies', () => {
  it('scrape exactly as prom-client’s own counter and histogram would, over the same requests', async () => {
    const ours = new Registry();
    const tallies = requestTallies(ours);
    const theirs = new Registry();
    const count = new Counter({ name: 'rto_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status', labelNames: ['method', 'route', 'status'], registers: [theirs] });
    const time = new Histogram({ name: 'rto_http_request_duration_seconds', help: 'Time to answer an HTTP request, by method, route pattern and status', labelNames: ['method', 'route', 'status'], buckets: BUCKETS, registers: [theirs] });
    // Durations on, between and beyond the bounds, for three series.
    const answered: [string, number, string, number][] = [
      ['GET', 200, '/api/v1/verify/*', 0.00004],
      ['GET', 200, '/api/v1/verify/*', 0.005],
      ['GET', 200, '/api/v1/verify/*', 0.0051],
      ['GET', 429, '/api/v1/verify/*', 0.3],
      ['POST', 201, '/api/v1/applications', 12],
      ['POST', 201, '/api/v1/applications', 10],
      ['GET', 200, '/api/v1/verify/*', 1],
    ];
    for (const [method, status, route, seconds] of answered) {
      tallies.of(method, status, route).record(seconds);
      const labels = { method, route, status: String(status) };
      count.inc(labels);
      time.observe(labels, seconds);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    // Reset as the registry resets its own metrics.
    ours.resetMetrics();
    theirs.resetMetrics();
    expect((await ours.getSingleMetricAsString('rto_http_requests_total')).split('\n').slice(0, 2)).toEqual((await theirs.getSingleMetricAsString('rto_http_requests_total')).split('\n').slice(0, 2));
    tallies.of('GET', 200, '/api/v1/health').record(0.002);
    expect(await ours.getSingleMetricAsString('rto_http_request_duration_seconds')).toMatch(/^rto_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/api\/v1\/health",status="200"\} 1$/m);
    expect(await ours.getSingleMetricAsString('rto_http_requests_total')).toMatch(/^rto_http_requests_total\{method="GET",route="\/api\/v1\/verify\/\*",status="200"\} 0$/m);
  });

  it('is registered once per registry, whoever asks first', () => {
    const registry = new Registry();
    expect(requestTallies(registry)).toBe(requestTallies(registry));
    expect(registry.getSingleMetric('rto_http_requests_total')).toBeDefined();
    expect(registry.getSingleMetric('rto_http_request_duration_seconds')).toBeDefined();
  });
});
