package relay

import (
	"crypto/tls"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/clientsecure/clientsecure/buildstatus"
)

// Metrics are a relay's Prometheus metrics, in a registry of their own
// (no global state): serve Registry with promhttp.
type Metrics struct {
	Registry *prometheus.Registry

	requests       *prometheus.CounterVec
	handshakes     *prometheus.CounterVec
	upstream       *prometheus.CounterVec
	upstreamErrors *prometheus.CounterVec
	verdict        *prometheus.GaugeVec
	conns          prometheus.Gauge
	evicted        *prometheus.CounterVec
}

// NewMetrics makes the metric set, registered in a new registry with the
// Go runtime and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "clientsecure_relay_device_requests_total",
			Help: "Device requests answered, by route (status, time, other) and HTTP code.",
		}, []string{"route", "code"}),
		handshakes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "clientsecure_relay_device_handshakes_total",
			Help: "Device TLS handshakes, by result (ok, error), TLS version and whether the session was resumed.",
		}, []string{"result", "version", "resumed"}),
		upstream: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "clientsecure_relay_upstream_requests_total",
			Help: "Requests sent upstream, by HTTP status (304 is a free not-modified answer; error when none came).",
		}, []string{"status"}),
		upstreamErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "clientsecure_relay_upstream_errors_total",
			Help: "Polls of a ref that failed, by ref and kind (unauthorized, rate limited, not found, unreachable).",
		}, []string{"ref", "kind"}),
		verdict: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "clientsecure_relay_verdict",
			Help: "1 for the current verdict of each ref (success, failure, pending, no_status), 0 for the others.",
		}, []string{"ref", "state"}),
		conns: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "clientsecure_relay_device_connections",
			Help: "Device connections open and counted against --max-conns.",
		}),
		evicted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "clientsecure_relay_device_connections_closed_total",
			Help: "Device connections the relay closed to stay within --max-conns: evicted (the oldest idle one) or refused (none was idle).",
		}, []string{"reason"}),
	}
	m.Registry.MustRegister(m.requests, m.handshakes, m.upstream, m.upstreamErrors, m.verdict, m.conns, m.evicted,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

var verdictStates = []buildstatus.State{buildstatus.StateSuccess, buildstatus.StateFailure, buildstatus.StatePending, buildstatus.StateNoStatus}

func (m *Metrics) setVerdict(ref string, s buildstatus.State) {
	for _, v := range verdictStates {
		val := 0.0
		if v == s {
			val = 1
		}
		m.verdict.WithLabelValues(ref, string(v)).Set(val)
	}
}

// Handshake counts one device handshake; it fits devicetls.Listener's
// OnHandshake.
func (m *Metrics) Handshake(st tls.ConnectionState, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	version := ""
	if st.Version != 0 {
		version = tls.VersionName(st.Version)
	}
	m.handshakes.WithLabelValues(result, version, strconv.FormatBool(st.DidResume)).Inc()
}

// ageCollector reports the age of each ref's verdict at scrape time.
type ageCollector struct {
	r    *Relay
	desc *prometheus.Desc
}

func (m *Metrics) watchAges(r *Relay) {
	m.Registry.MustRegister(&ageCollector{r: r, desc: prometheus.NewDesc(
		"clientsecure_relay_verdict_age_seconds",
		"Seconds since the verdict of each ref was last confirmed upstream.",
		[]string{"ref"}, nil)})
}

func (c *ageCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *ageCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.r.clock.Now()
	c.r.mu.RLock()
	defer c.r.mu.RUnlock()
	for _, e := range c.r.entries {
		if e.last != nil {
			ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, now.Sub(e.last.checkedAt).Seconds(), e.name())
		}
	}
}
