package main

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/parley-chat/parley/internal/sqlstore"
)

// metrics holds the process's Prometheus registry (not the global one).
type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	delivered prometheus.Counter
	slow      prometheus.Counter
	feeds     prometheus.Gauge
}

func newMetrics(store *sqlstore.Store) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "parley_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		delivered: prometheus.NewCounter(prometheus.CounterOpts{Name: "parley_realtime_deliveries_total", Help: "Events handed to live subscribers."}),
		slow:      prometheus.NewCounter(prometheus.CounterOpts{Name: "parley_realtime_slow_consumers_total", Help: "Subscribers cut off for falling behind."}),
		feeds:     prometheus.NewGauge(prometheus.GaugeOpts{Name: "parley_realtime_subscribers", Help: "Live subscribers on this node."}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.delivered, m.slow, m.feeds,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(store.DB(), string(store.Engine())))
	return m
}

// ObserveRequest implements httpx.Observer.
func (m *metrics) ObserveRequest(r *http.Request, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Delivered, SlowConsumer and Feeds implement realtime.Metrics.
func (m *metrics) Delivered(n int) { m.delivered.Add(float64(n)) }
func (m *metrics) SlowConsumer()   { m.slow.Inc() }
func (m *metrics) Feeds(delta int) { m.feeds.Add(float64(delta)) }
