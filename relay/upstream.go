package relay

import (
	"net/http"
	"strconv"

	"github.com/clientsecure/clientsecure/buildstatus"
)

// NewUpstream is the relay's GitHub client: hc's verified transport,
// counted into m, below a conditional store (so an unchanged ref is a free
// 304), with token sent to apiURL only. hc itself is not changed.
func NewUpstream(hc *http.Client, apiURL, token string, m *Metrics) (*buildstatus.Client, *buildstatus.ConditionalTransport, error) {
	var own http.Client
	if hc != nil {
		own = *hc
	}
	ct := buildstatus.NewConditionalTransport(&countingTransport{base: own.Transport, m: m})
	own.Transport = ct
	c, err := buildstatus.NewClient(&own, apiURL, token)
	if err != nil {
		return nil, nil, err
	}
	return c, ct, nil
}

// countingTransport counts each request sent upstream by its answer's
// status, 304s included (they are counted below the conditional store,
// which turns them into 200s).
type countingTransport struct {
	base http.RoundTripper
	m    *Metrics
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	status := "error"
	if err == nil {
		status = strconv.Itoa(resp.StatusCode)
	}
	t.m.upstream.WithLabelValues(status).Inc()
	return resp, err
}

func (t *countingTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
