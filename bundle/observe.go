package bundle

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/clientsecure/clientsecure"
)

// MaxRedirects is how many redirects a URL target may take, as browsers
// and clientsecure get allow.
const MaxRedirects = 10

// Observer connects to targets and records what each server sends.
type Observer struct {
	// Trust is the policy connections are made under: its Roots are the
	// candidates, so a URL's redirects are followed only from servers that
	// verified (nothing is sent to one that did not). Its dial hook
	// (--resolve) and client certificates apply.
	Trust *clientsecure.Trust
	// Jobs is how many targets are contacted at once; below 1 means 1.
	Jobs int
	// Trace, if set, is told of each connection and redirect.
	Trace func(format string, args ...any)
}

// Observe contacts every target and returns the hosts seen, each once
// (by host and port), in the order the targets name them, a URL's
// redirects after it. ctx bounds the whole of it.
func (o *Observer) Observe(ctx context.Context, targets []Target) []*Host {
	client := &http.Client{
		Transport: clientsecure.NewTransport(o.Trust),
		// Each redirect is followed here, hop by hop, to see every host.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()

	seen := make([][]*Host, len(targets))
	jobs := max(o.Jobs, 1)
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if t.URL != nil {
				seen[i] = o.follow(ctx, client, t)
			} else {
				seen[i] = []*Host{o.handshake(ctx, t)}
			}
		}()
	}
	wg.Wait()
	return merge(seen)
}

// merge flattens the hosts seen per target, keeping the first sighting of
// each host and port, with the first error any sighting met.
func merge(seen [][]*Host) []*Host {
	var out []*Host
	byAddr := map[string]*Host{}
	for _, hosts := range seen {
		for _, h := range hosts {
			key := strings.ToLower(h.Addr())
			first, ok := byAddr[key]
			if !ok {
				byAddr[key] = h
				out = append(out, h)
				continue
			}
			if first.Sent == nil {
				first.Sent = h.Sent
			}
			if first.Err == nil {
				first.Err = h.Err
			}
		}
	}
	return out
}

func (o *Observer) trace(format string, args ...any) {
	if o.Trace != nil {
		o.Trace(format, args...)
	}
}

// handshake connects to a HOST[:PORT] target, verifying it in the
// handshake, and sends nothing.
func (o *Observer) handshake(ctx context.Context, t Target) *Host {
	h := &Host{Name: t.Host, Port: t.Port}
	o.trace("connecting to %s", t.addr())
	conn, err := clientsecure.Dial(ctx, "tcp", t.addr(), o.Trust)
	if err != nil {
		o.record(h, err)
		return h
	}
	h.Sent = conn.ConnectionState().PeerCertificates
	conn.Close()
	return h
}

// record notes a failed connection: an identity failure keeps what the
// server presented (Judge says why no candidate verifies it); anything
// else is the host's error.
func (o *Observer) record(h *Host, err error) {
	var ie *clientsecure.IdentityError
	if errors.As(err, &ie) {
		h.Sent = ie.Presented
		o.trace("%s: not verified by the candidates", h.Addr())
		return
	}
	h.Err = fmt.Errorf("bundle: %s: %w", h.Addr(), err)
}

// follow fetches a URL target and each redirect from it, one host per
// hop. A redirect that leaves https, comes back to a URL already visited,
// or is the eleventh is an error of the host that sent it; an unverified
// hop ends the walk (nothing is sent to it).
func (o *Observer) follow(ctx context.Context, client *http.Client, t Target) []*Host {
	var hosts []*Host
	visited := map[string]bool{}
	var path []string
	u := t.URL
	for hop := 0; ; hop++ {
		visited[u.String()] = true
		path = append(path, u.Redacted())
		h := &Host{Name: u.Hostname(), Port: urlPort(u)}
		hosts = append(hosts, h)
		next, err := o.fetch(ctx, client, u, h)
		if err != nil || next == nil {
			return hosts
		}
		switch {
		case next.Scheme != "https":
			h.Err = fmt.Errorf("bundle: %s redirects to %s: refused, a device cannot verify a server over %s", u.Redacted(), next.Redacted(), next.Scheme)
			return hosts
		case visited[next.String()]:
			h.Err = fmt.Errorf("bundle: redirect loop: %s -> %s", strings.Join(path, " -> "), next.Redacted())
			return hosts
		case hop+1 > MaxRedirects:
			h.Err = fmt.Errorf("bundle: %s: more than %d redirects from %s", u.Redacted(), MaxRedirects, t.URL.Redacted())
			return hosts
		}
		o.trace("%s redirects to %s", u.Redacted(), next.Redacted())
		u = next
	}
}

// fetch GETs u, records on h what its server sent, and returns where it
// redirects to (nil when it does not).
func (o *Observer) fetch(ctx context.Context, client *http.Client, u *url.URL, h *Host) (*url.URL, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		h.Err = fmt.Errorf("bundle: %s: %w", u.Redacted(), err)
		return nil, h.Err
	}
	o.trace("connecting to %s for %s", h.Addr(), u.Redacted())
	resp, err := client.Do(req)
	if err != nil {
		o.record(h, err)
		return nil, err
	}
	// Only the status and Location matter: the body is not read.
	resp.Body.Close()
	if resp.TLS != nil {
		h.Sent = resp.TLS.PeerCertificates
	}
	loc := resp.Header.Get("Location")
	if resp.StatusCode < 300 || resp.StatusCode > 399 || loc == "" {
		return nil, nil
	}
	next, err := u.Parse(loc)
	if err != nil {
		h.Err = fmt.Errorf("bundle: %s redirects to an unreadable Location %q: %w", u.Redacted(), loc, err)
		return nil, h.Err
	}
	return next, nil
}

// urlPort is u's port, 443 for https when none is written (and 80 for
// http, which is only ever refused).
func urlPort(u *url.URL) int {
	if p, err := strconv.Atoi(u.Port()); err == nil {
		return p
	}
	if u.Scheme == "http" {
		return 80
	}
	return 443
}
