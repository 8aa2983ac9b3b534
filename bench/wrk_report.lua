-- wrk reporter for bench/run.py: one JSON line with requests/s and latency percentiles (ms).
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50": %.2f, "p75": %.2f, ' ..
    '"p90": %.2f, "p95": %.2f, "p99": %.2f, "max": %.2f, "non2xx": %d, "socket_errors": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(75) / 1000, latency:percentile(90) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
