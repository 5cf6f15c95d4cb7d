package check

import (
	"crypto/x509"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/clientsecure/clientsecure/internal/scantest"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// corpusWorld serves the corpus's three hosts; the broker accepts only
// ALPN "mqtt", as brokers behind an ALPN router do.
func corpusWorld(t *testing.T) (*world, scantest.Sites, string) {
	sites := scantest.NewSites(testcerts.Now)
	var roots []*x509.Certificate
	for _, s := range sites {
		roots = append(roots, s.Root)
	}
	w := newWorld(t, roots...)
	for _, s := range sites {
		var protos []string
		if s.Port == 8883 {
			protos = []string{"mqtt"}
		}
		w.serve(s.Leaf.Cert.DNSNames[0]+":"+itoa(s.Port), s.Leaf, protos...)
	}
	dir := t.TempDir()
	if err := scantest.Write(dir, sites, testcerts.Now); err != nil {
		t.Fatal(err)
	}
	return w, sites, dir
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestCorpus checks every form of the corpus against the live servers:
// each is found, paired with its host, and current.
func TestCorpus(t *testing.T) {
	w, _, dir := corpusWorld(t)
	r := w.checkDir(dir)
	found := map[string][]string{}
	for _, f := range r.Findings {
		rel, _ := filepath.Rel(dir, f.Item.File)
		found[filepath.ToSlash(rel)] = append(found[filepath.ToSlash(rel)], string(f.Item.Kind)+"/"+string(f.Item.Use))
		if f.State != Current {
			t.Errorf("%s:%d %s (%s) for %v: %s: %s", rel, f.Item.Line, f.Item.Kind, f.Item.Use, hostOf(f), f.State, f.Message)
		}
	}
	wantForms := map[string][]string{
		"document/BuildFailureDetector.ino": {"sha1/fingerprint"},
		"fparray/ota.ino":                   {"sha1/fingerprint"},
		"esp32-rootca/esp32_client.ino":     {"certificate/anchor"},
		"rawstring/anchors.cpp":             {"certificate/anchor"},
		"certpy/certs.h":                    {"sha1/fingerprint", "public-key/key", "certificate/anchor"},
		"brssl/trust_anchors.h":             {"trust-anchor/anchor"},
		"data-ca/data/ca.pem":               {"certificate/anchor"},
		"certstore/data/certs.ar":           {"cert-store/anchor", "cert-store/anchor"},
		"espidf/x509_crt_bundle":            {"cert-store/anchor"},
		"espidf-legacy/x509_crt_bundle.bin": {"cert-store/anchor"},
		"esphome/device.yaml":               {"certificate/anchor"},
		"micropython/ca.pem":                {"certificate/anchor"},
		"mqtt/mqtt_light.ino":               {"certificate/anchor"},
		"url/update.ino":                    {"sha256/fingerprint"},
		"twohosts/two.ino":                  {"sha1/fingerprint", "sha1/fingerprint"},
		"headers/api_example_com.h":         {"sha1/fingerprint", "public-key/key", "certificate/anchor"},
		"headers/api_example_com_esp32.h":   {"certificate/anchor", "sha256/fingerprint"},
		"headers/bundle/bundle_anchors.h":   {"certificate/anchor"},
	}
	for file, forms := range wantForms {
		if !slices.Equal(found[file], forms) {
			t.Errorf("%s: found %v, want %v", file, found[file], forms)
		}
	}
	for file := range found {
		if _, ok := wantForms[file]; !ok {
			t.Errorf("%s: unexpected items %v", file, found[file])
		}
	}
	// Each host once, and the broker offered no ALPN while HTTPS hosts
	// were offered HTTP's.
	for addr, s := range w.servers {
		if n := s.conns.Load(); n != 1 {
			t.Errorf("%s contacted %d times, want once", addr, n)
		}
		s.mu.Lock()
		offered := s.offered
		s.mu.Unlock()
		mqtt := strings.HasSuffix(addr, ":8883")
		for _, o := range offered {
			if mqtt && len(o) != 0 || !mqtt && !slices.Contains(o, "http/1.1") {
				t.Errorf("%s was offered ALPN %v", addr, o)
			}
		}
	}
	if r.Exit() != 0 {
		t.Errorf("exit %d, want 0", r.Exit())
	}
	// The pairing: two hosts in one file each get their own.
	for _, f := range r.Findings {
		if strings.HasSuffix(f.Item.File, "two.ino") {
			if want := map[string]string{"api_fp": "api.example.com", "ota_fp": "ota.example.org"}[f.Item.Name]; f.Item.Host.Name != want {
				t.Errorf("%s paired with %s, want %s", f.Item.Name, f.Item.Host.Name, want)
			}
		}
	}
}

// TestCorpusFix renews every server's certificate, fixes the corpus and
// checks again: nothing is left to fix and everything is current.
func TestCorpusFix(t *testing.T) {
	w, sites, dir := corpusWorld(t)
	for _, s := range sites {
		renewed := s.CA.Renewed(s.Leaf, testcerts.Now.Add(-day), 90)
		w.servers[s.Leaf.Cert.DNSNames[0]+":"+itoa(s.Port)].rotate(renewed)
	}
	r := w.checkDir(dir)
	if r.Exit() != 1 {
		t.Fatalf("after renewal: exit %d, want 1 (stale)", r.Exit())
	}
	changes, err := Apply(r.Fixable())
	if err != nil {
		t.Fatal(err)
	}
	// The leaves' fingerprints and keys: document, fparray, certpy (2),
	// twohosts (2), url, the arduino header (2) and the esp32 header.
	if len(changes) != 10 {
		t.Errorf("%d changes, want 10", len(changes))
	}
	again := w.checkDir(dir)
	for _, f := range again.Findings {
		if f.State != Current {
			t.Errorf("after --fix: %s:%d %s: %s: %s", f.Item.File, f.Item.Line, f.Item.Kind, f.State, f.Message)
		}
	}
	if n := len(again.Fixable()); n != 0 {
		t.Errorf("after --fix, %d items still to fix", n)
	}
}
