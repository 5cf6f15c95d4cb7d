package main

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

// resolver is the --resolve flags: where to connect instead whenever
// HOST:PORT is dialed, as curl's --resolve (and, with a port in ADDR, its
// --connect-to) does. The name verified, sent in SNI and in the Host
// header stays HOST: only the TCP connection goes elsewhere.
type resolver map[string]string // "host:port" (host lowercased) -> "addr:port"

// parseResolve reads HOST:PORT:ADDR entries. HOST and ADDR may be IPv6
// literals in brackets; ADDR may carry its own port ("127.0.0.1:8443",
// "[::1]:8443"), else PORT is kept. A later entry for the same HOST:PORT
// wins, as in curl.
func parseResolve(entries []string) (resolver, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	r := resolver{}
	for _, e := range entries {
		from, to, err := parseResolveEntry(e)
		if err != nil {
			return nil, usagef("--resolve %q: %v; want HOST:PORT:ADDR, ADDR as 127.0.0.1, 127.0.0.1:8443 or [::1]:8443", e, err)
		}
		r[from] = to
	}
	return r, nil
}

func parseResolveEntry(e string) (from, to string, err error) {
	host, rest, err := cutHost(e)
	if err != nil {
		return "", "", err
	}
	portStr, addr, ok := strings.Cut(rest, ":")
	if !ok {
		return "", "", fmt.Errorf("no ADDR after the port")
	}
	port, err := parsePort(portStr)
	if err != nil {
		return "", "", err
	}
	var toHost, toPort string
	switch {
	case strings.HasPrefix(addr, "["):
		h, p, err := cutHost(addr)
		if err != nil {
			return "", "", err
		}
		toHost, toPort = h, port
		if p != "" {
			if toPort, err = parsePort(p); err != nil {
				return "", "", err
			}
		}
	case net.ParseIP(addr) != nil:
		toHost, toPort = addr, port // a bare address, IPv6 included
	default:
		toHost, toPort = addr, port
		if h, p, ok := strings.Cut(addr, ":"); ok {
			if toPort, err = parsePort(p); err != nil {
				return "", "", err
			}
			toHost = h
		}
	}
	if toHost == "" || strings.ContainsAny(toHost, " /[]") {
		return "", "", fmt.Errorf("no address to connect to")
	}
	return net.JoinHostPort(strings.ToLower(host), port), net.JoinHostPort(toHost, toPort), nil
}

// cutHost splits "host:rest" or "[v6]:rest" (or "[v6]" alone) into the
// host and what follows the colon.
func cutHost(s string) (host, rest string, err error) {
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 {
			return "", "", fmt.Errorf("no ] after the IPv6 address")
		}
		host, rest = s[1:end], s[end+1:]
		if net.ParseIP(host) == nil {
			return "", "", fmt.Errorf("%q is not an IPv6 address", host)
		}
		if rest != "" && !strings.HasPrefix(rest, ":") {
			return "", "", fmt.Errorf("%q after ]", rest)
		}
		return host, strings.TrimPrefix(rest, ":"), nil
	}
	host, rest, ok := strings.Cut(s, ":")
	if !ok || host == "" {
		return "", "", fmt.Errorf("no HOST:PORT in it")
	}
	return host, rest, nil
}

func parsePort(s string) (string, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("port %q is not a number from 1 to 65535", s)
	}
	return strconv.Itoa(n), nil
}

// dialer returns a DialContext for clientsecure.Trust that connects to
// the resolved address for the entries given, and as asked otherwise.
func (r resolver) dialer() func(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, r.target(addr))
	}
}

// target is where a dial of addr connects.
func (r resolver) target(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if to, ok := r[net.JoinHostPort(strings.ToLower(host), port)]; ok {
		return to
	}
	return addr
}

// hintArgs are the flags of cmd that a suggested command needs to reach
// the same server: every --resolve given.
func hintArgs(cmd *cobra.Command) []string {
	if cmd == nil {
		return nil
	}
	entries, err := cmd.Flags().GetStringArray("resolve")
	if err != nil {
		return nil // a command without the trust flags
	}
	var args []string
	for _, e := range entries {
		args = append(args, "--resolve", e)
	}
	return args
}
