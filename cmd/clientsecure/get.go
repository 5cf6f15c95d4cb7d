package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/clientsecure/clientsecure"
)

type getOptions struct {
	trustFlags
	method   string
	headers  []string
	data     string
	include  bool
	fail     bool
	location bool
}

func newGetCmd(e *env) *cobra.Command {
	o := &getOptions{}
	cmd := &cobra.Command{
		Use:   "get [flags] URL",
		Short: "Fetch an HTTPS URL from a server whose identity is verified first",
		Example: `  clientsecure get --pin "CF 05 98 89 CA FF 8E D8 5E 5C E0 C2 E4 F7 E6 C3 C7 50 DD 5C" https://api.github.com/
  clientsecure get --ca-file root.pem -H "Accept: application/json" https://localhost:8443/repos/esp8266/Arduino`,
		Args: cobraArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), e, args[0])
		},
	}
	o.register(cmd.Flags())
	f := cmd.Flags()
	f.StringVarP(&o.method, "request", "X", "", "request method (default GET, or POST with -d)")
	f.StringArrayVarP(&o.headers, "header", "H", nil, `request header "Name: value" (repeatable)`)
	f.StringVarP(&o.data, "data", "d", "", "request body; @FILE reads a file, @- standard input")
	f.BoolVarP(&o.include, "include", "i", false, "write the response status line and headers before the body")
	f.BoolVar(&o.fail, "fail", false, "exit 5 when the response status is not 2xx")
	f.BoolVarP(&o.location, "location", "L", false, "follow redirects (credentials are not sent to another host)")
	return cmd
}

func (o *getOptions) run(ctx context.Context, e *env, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return usagef("%q is not a URL like https://host/path", rawURL)
	}
	if u.Scheme != "https" {
		return usagef("%s: only https:// URLs: there is no identity to verify over %s", rawURL, u.Scheme)
	}
	tr := newTracer(e.stderr, o.verbose)
	trust, err := o.trust(e.warnf)
	if err != nil {
		return err
	}
	body, err := o.body(e.stdin)
	if err != nil {
		return err
	}
	method := o.method
	if method == "" {
		method = http.MethodGet
		if body != nil {
			method = http.MethodPost
		}
	}
	ctx, cancel := o.withTimeout(ctx)
	defer cancel()
	if ct := tr.clientTrace(trust); ct != nil {
		ct.WroteRequest = func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				tr.printf("request sent")
			}
		}
		ctx = httptrace.WithClientTrace(ctx, ct)
	}
	var reqBody io.Reader
	if body != nil {
		reqBody = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), reqBody)
	if err != nil {
		return usageErr(err)
	}
	req.Header.Set("User-Agent", userAgent())
	for _, h := range o.headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return usagef("-H %q: want \"Name: value\"", h)
		}
		req.Header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	client := clientsecure.NewClient(trust)
	if !o.location {
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	defer client.CloseIdleConnections()

	tr.printf("requesting URL: %s", u.RequestURI())
	tr.headers(">", req.Header)
	resp, err := client.Do(req)
	if err != nil {
		return timeoutErr(ctx, inWords(err), o.timeout)
	}
	defer resp.Body.Close()
	tr.printf("headers received")
	tr.printf("< %s %s", resp.Proto, resp.Status)
	tr.headers("<", resp.Header)
	if o.include {
		fmt.Fprintf(e.stdout, "%s %s\r\n", resp.Proto, resp.Status)
		resp.Header.Write(e.stdout)
		fmt.Fprint(e.stdout, "\r\n")
	}
	if _, err := io.Copy(e.stdout, resp.Body); err != nil {
		return timeoutErr(ctx, fmt.Errorf("reading the body: %w", err), o.timeout)
	}
	// net/http sometimes ends a body cut off by the deadline with a plain
	// EOF, as if it were whole: the context knows better.
	if err := ctx.Err(); err != nil {
		return timeoutErr(ctx, fmt.Errorf("reading the body: %w", err), o.timeout)
	}
	tr.printf("closing connection")
	if o.fail && (resp.StatusCode < 200 || resp.StatusCode > 299) {
		return exitCode(exitError, fmt.Errorf("%s answered %s", u.Redacted(), resp.Status))
	}
	return nil
}

// body reads -d: literal text, @FILE or @- for standard input; nil
// without -d.
func (o *getOptions) body(stdin io.Reader) ([]byte, error) {
	switch {
	case o.data == "":
		return nil, nil
	case o.data == "@-":
		return io.ReadAll(stdin)
	case strings.HasPrefix(o.data, "@"):
		b, err := os.ReadFile(o.data[1:])
		if err != nil {
			return nil, usagef("-d: %v", err)
		}
		return b, nil
	}
	return []byte(o.data), nil
}

// timeoutErr says a timeout is a timeout (with the limit) instead of a bare
// "context deadline exceeded".
func timeoutErr(ctx context.Context, err error, limit time.Duration) error {
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("timed out after %s (--timeout): %w", limit, err)
	}
	return err
}
