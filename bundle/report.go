package bundle

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/inspect"
)

// Report is what the bundle command tells about a bundle: the JSON
// document of `--format json`, and the text on stderr.
type Report struct {
	Hosts   []ReportHost   `json:"hosts"`
	Anchors []ReportAnchor `json:"anchors"`
	Bytes   ReportBytes    `json:"bytes"`
}

type ReportHost struct {
	Host     string   `json:"host"`
	Port     int      `json:"port"`
	Verified bool     `json:"verified"`
	Anchors  []string `json:"anchors"` // SHA-256 of the bundle's anchors that verify it
	Error    string   `json:"error"`
	// Chain is what the host sent, leaf first, as fingerprint describes it.
	Chain []inspect.Cert `json:"chain"`
}

type ReportAnchor struct {
	Subject    string      `json:"subject"`
	SHA256     string      `json:"sha256"`
	SPKISHA256 string      `json:"spki_sha256"`
	KeyType    string      `json:"key_type"`
	KeyBits    int         `json:"key_bits"`
	NotAfter   time.Time   `json:"not_after"`
	DaysLeft   int         `json:"days_left"`
	Hosts      []string    `json:"hosts"`
	Bytes      AnchorBytes `json:"bytes"`
	Why        string      `json:"-"` // Chosen, Alternate or Spare

	desc inspect.Cert
}

type AnchorBytes struct {
	DER    int `json:"der"`
	ESPIDF int `json:"esp_idf"` // its entry in an ESP-IDF bundle
}

// ReportBytes are the exact sizes each format writes; null for a format
// that cannot hold the bundle.
type ReportBytes struct {
	PEM          *int `json:"pem"`
	Arduino      *int `json:"arduino"`
	BearSSL      *int `json:"bearssl"`
	CertsAr      *int `json:"certs_ar"`
	ESPIDF       *int `json:"esp_idf"`
	ESPIDFLegacy *int `json:"esp_idf_legacy"`
}

// NewReport describes b, with the sizes each format writes.
func NewReport(b *Bundle) *Report {
	r := &Report{Hosts: []ReportHost{}, Anchors: []ReportAnchor{}}
	for _, h := range b.Hosts {
		rh := ReportHost{Host: h.Name, Port: h.Port, Verified: h.Verified(), Anchors: []string{}, Chain: []inspect.Cert{}}
		for _, a := range b.AnchorsOf(h) {
			rh.Anchors = append(rh.Anchors, inspect.Describe(a.Cert).SHA256.Format(clientsecure.FormatColon))
		}
		if err := h.Problem(); err != nil {
			rh.Error = oneLine(err)
		}
		for _, c := range h.Sent {
			rh.Chain = append(rh.Chain, inspect.Describe(c))
		}
		r.Hosts = append(r.Hosts, rh)
	}
	for _, a := range b.Anchors {
		d := inspect.Describe(a.Cert)
		ra := ReportAnchor{
			Subject: d.Subject, SHA256: d.SHA256.Format(clientsecure.FormatColon), SPKISHA256: d.SPKISHA256.String(),
			KeyType: d.KeyType, KeyBits: d.KeyBits,
			NotAfter: d.NotAfter, DaysLeft: d.DaysLeft(b.At),
			Hosts: []string{},
			Bytes: AnchorBytes{DER: len(a.Cert.Raw), ESPIDF: espIDFEntry(a)},
			Why:   a.Why,
			desc:  d,
		}
		for _, h := range a.Hosts {
			ra.Hosts = append(ra.Hosts, h.Addr())
		}
		r.Anchors = append(r.Anchors, ra)
	}
	sizes := Sizes(b)
	size := func(name string) *int {
		if n, ok := sizes[name]; ok {
			return &n
		}
		return nil
	}
	r.Bytes = ReportBytes{
		PEM: size("pem"), Arduino: size("arduino"), BearSSL: size("bearssl"),
		CertsAr: size("certs-ar"), ESPIDF: size("esp-idf"), ESPIDFLegacy: size("esp-idf-legacy"),
	}
	return r
}

// WriteJSON writes the report as the JSON document of DESIGN.md.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the report for people: each host and the anchors that
// verify it (or why none does, with what it sent), each anchor, and the
// size of every format.
func (r *Report) WriteText(w io.Writer, minimal bool) error {
	var b strings.Builder
	index := map[string]int{}
	for i, a := range r.Anchors {
		index[a.SHA256] = i
	}
	b.WriteString("hosts:\n")
	for _, h := range r.Hosts {
		addr := net.JoinHostPort(h.Host, strconv.Itoa(h.Port))
		var by []string
		for _, sum := range h.Anchors {
			by = append(by, fmt.Sprintf("[%d]", index[sum]))
		}
		switch {
		case h.Verified:
			fmt.Fprintf(&b, "  %s  verified by %s\n", addr, strings.Join(by, " "))
		case len(h.Chain) == 0:
			fmt.Fprintf(&b, "  %s  NOT REACHED\n", addr)
		default:
			fmt.Fprintf(&b, "  %s  NOT VERIFIED by any candidate; it sent:\n", addr)
			for i, c := range h.Chain {
				lines := strings.Split(c.Summary(), "\n")
				fmt.Fprintf(&b, "      %d. %s\n", i+1, strings.Join(lines, "\n         "))
			}
		}
		if h.Error != "" {
			fmt.Fprintf(&b, "      error: %s\n", strings.TrimPrefix(h.Error, "bundle: "))
		}
	}
	what := "the fewest that cover every verified host"
	if !minimal {
		what = "a cover the search could not prove the fewest"
	}
	fmt.Fprintf(&b, "anchors (%d; chosen: %s):\n", len(r.Anchors), what)
	for i, a := range r.Anchors {
		fmt.Fprintf(&b, "  [%d] %s  (%s)\n", i, inspect.Printable(a.Subject), a.Why)
		fmt.Fprintf(&b, "      %s, not after %s (%d days left)\n", a.desc.Key(), formatTime(a.NotAfter), a.DaysLeft)
		fmt.Fprintf(&b, "      sha256 %s\n", a.SHA256)
		fmt.Fprintf(&b, "      %d bytes DER, %d bytes in an esp-idf bundle\n", a.Bytes.DER, a.Bytes.ESPIDF)
		fmt.Fprintf(&b, "      hosts: %s\n", strings.Join(a.Hosts, ", "))
	}
	b.WriteString("bytes of each format:")
	for _, f := range []struct {
		name string
		n    *int
	}{
		{"pem", r.Bytes.PEM}, {"arduino", r.Bytes.Arduino}, {"bearssl", r.Bytes.BearSSL},
		{"certs-ar", r.Bytes.CertsAr}, {"esp-idf", r.Bytes.ESPIDF}, {"esp-idf-legacy", r.Bytes.ESPIDFLegacy},
	} {
		if f.n == nil {
			fmt.Fprintf(&b, " %s -", f.name)
		} else {
			fmt.Fprintf(&b, " %s %d", f.name, *f.n)
		}
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}
