package fakehub

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// GitHub's page sizes: 30 unless per_page asks otherwise, never over 100.
const (
	defaultPerPage = 30
	maxPerPage     = 100
)

// page is the slice of a list one request asks for with page and per_page.
// Values GitHub would ignore (not numbers, zero, negative) take defaults.
type page struct {
	number, perPage, last int
}

func pageOf(q url.Values, total int) page {
	p := page{number: 1, perPage: defaultPerPage}
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil && n > 0 {
		p.perPage = min(n, maxPerPage)
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 0 {
		p.number = n
	}
	p.last = max(1, (total+p.perPage-1)/p.perPage)
	return p
}

// bounds are the indexes [lo, hi) of the page's items; empty past the end.
func (p page) bounds(total int) (lo, hi int) {
	if p.number > p.last {
		return total, total
	}
	lo = (p.number - 1) * p.perPage
	return lo, min(lo+p.perPage, total)
}

// setLink writes the RFC 5988 Link header GitHub sends (prev, next, last,
// first, each when it applies), built from the request's own URL so that
// following it leads back here with every other parameter kept.
func (p page) setLink(rep *reply, c *call) {
	var links []string
	add := func(number int, rel string) {
		q := c.r.URL.Query()
		q.Set("page", strconv.Itoa(number))
		u := url.URL{Path: c.r.URL.Path, RawPath: c.r.URL.RawPath, RawQuery: q.Encode()}
		links = append(links, fmt.Sprintf("<%s%s>; rel=%q", c.site, u.RequestURI(), rel))
	}
	if p.number > 1 {
		add(min(p.number-1, p.last), "prev")
	}
	if p.number < p.last {
		add(p.number+1, "next")
		add(p.last, "last")
	}
	if p.number > 1 {
		add(1, "first")
	}
	if len(links) > 0 {
		rep.header.Set("Link", strings.Join(links, ", "))
	}
}
