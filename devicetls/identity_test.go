package devicetls

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLoadOrCreateKeepsTheIdentity(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	names := []string{"192.0.2.7", "relay.lan", "127.0.0.1"}
	first, err := LoadOrCreate(dir, names, KeySpec{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Created {
		t.Error("first start: Created is false")
	}
	fi, err := os.Stat(first.Path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("identity file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	// A later start, a year on, with other names: the same certificate.
	again, err := LoadOrCreate(dir, []string{"198.51.100.1"}, KeySpec{}, now.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if again.Created || !bytes.Equal(again.Certificate.Certificate[0], first.Certificate.Certificate[0]) {
		t.Error("second start made a new certificate")
	}
	if got := Unnamed(again.Certificate.Leaf, []string{"198.51.100.1", "relay.lan"}); len(got) != 1 || got[0] != "198.51.100.1" {
		t.Errorf("Unnamed = %v", got)
	}
}

func TestLoadOrCreateReplicasRace(t *testing.T) {
	dir := t.TempDir()
	const n = 8
	ids := make([]*Identity, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { ids[i], errs[i] = LoadOrCreate(dir, []string{"127.0.0.1"}, KeySpec{}, now) })
	}
	wg.Wait()
	created := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if ids[i].Created {
			created++
		}
		if !bytes.Equal(ids[i].Certificate.Certificate[0], ids[0].Certificate.Certificate[0]) {
			t.Fatalf("replica %d presents another certificate", i)
		}
	}
	if created != 1 {
		t.Errorf("%d replicas say they created the identity, want 1", created)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".identity-*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestLoadOrCreateRefuses(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadOrCreate(dir, nil, KeySpec{}, now); err != nil {
		t.Fatal(err)
	}
	_, err := LoadOrCreate(dir, nil, KeySpec{RSABits: 2048}, now)
	if err == nil || !strings.Contains(err.Error(), "another state directory") {
		t.Errorf("another key kind: %v", err)
	}
	if _, err := LoadOrCreate(t.TempDir(), nil, KeySpec{RSABits: 1024}, now); err == nil {
		t.Error("RSA 1024 accepted")
	}
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, IdentityFile), []byte("not pem"), 0o600)
	before, _ := os.ReadFile(filepath.Join(bad, IdentityFile))
	if _, err := LoadOrCreate(bad, nil, KeySpec{}, now); err == nil || !strings.Contains(err.Error(), IdentityFile) {
		t.Errorf("corrupt identity: %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(bad, IdentityFile))
	if !bytes.Equal(before, after) {
		t.Error("a corrupt identity was overwritten")
	}
}

func TestNewCertificateForDevices(t *testing.T) {
	cert, err := NewCertificate([]string{"127.0.0.1", "192.0.2.7", "::1", "relay.lan", "localhost"}, KeySpec{}, now)
	if err != nil {
		t.Fatal(err)
	}
	leaf := cert.Leaf
	if !leaf.NotBefore.Equal(time.Unix(0, 0)) {
		t.Errorf("NotBefore %v, want 1970-01-01", leaf.NotBefore)
	}
	if leaf.NotAfter.Before(now.AddDate(20, 0, 0)) {
		t.Errorf("NotAfter %v: under 20 years", leaf.NotAfter)
	}
	// BearSSL compares DNS SANs and the CN only: addresses must be there.
	for _, want := range []string{"127.0.0.1", "192.0.2.7", "::1", "relay.lan"} {
		found := false
		for _, d := range leaf.DNSNames {
			found = found || d == want
		}
		if !found {
			t.Errorf("DNS SANs %v lack %s", leaf.DNSNames, want)
		}
	}
	if len(leaf.IPAddresses) != 3 {
		t.Errorf("IP SANs %v, want 3", leaf.IPAddresses)
	}
	if leaf.Subject.CommonName != "192.0.2.7" {
		t.Errorf("CN %q, want the LAN address", leaf.Subject.CommonName)
	}
	for _, h := range []string{"127.0.0.1", "::1", "192.0.2.7", "relay.lan"} {
		if err := leaf.VerifyHostname(h); err != nil {
			t.Errorf("Go verifying %s: %v", h, err)
		}
	}
}

func TestMachineNames(t *testing.T) {
	names := MachineNames("relay.example", "0.0.0.0")
	if names[0] != "relay.example" {
		t.Errorf("extra name not first: %v", names)
	}
	for _, want := range []string{"localhost", "127.0.0.1", "::1"} {
		if !strings.Contains(" "+strings.Join(names, " ")+" ", " "+want+" ") {
			t.Errorf("%v lacks %s", names, want)
		}
	}
	for _, n := range names {
		if n == "0.0.0.0" {
			t.Error("the unspecified address is named")
		}
	}
}
