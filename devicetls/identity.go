package devicetls

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// IdentityFile is the file in a state directory that holds the key and the
// certificate.
const IdentityFile = "identity.pem"

// Identity is the certificate a server presents to devices.
type Identity struct {
	Certificate tls.Certificate // Leaf is set
	// Path is the file it was read from or written to, "" for one made
	// in memory.
	Path string
	// Created is true when this call made it (the first start).
	Created bool
}

// LoadOrCreate returns the identity kept in dir, making the directory and
// a new identity (NewCertificate with names and k) when there is none yet.
// A kept identity whose key is not of kind k is an error: the devices hold
// its key, so a silent change would break them all.
func LoadOrCreate(dir string, names []string, k KeySpec, now time.Time) (*Identity, error) {
	if err := k.Check(); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, IdentityFile)
	id, err := readIdentity(path)
	if errors.Is(err, fs.ErrNotExist) {
		id, err = createIdentity(dir, path, names, k, now)
	}
	if err != nil {
		return nil, err
	}
	if !k.matches(id.Certificate.Leaf.PublicKey) {
		return nil, fmt.Errorf("devicetls: %s holds a key other than %s: use another state directory for a new key (devices pinned to the old one would fail)", path, k)
	}
	return id, nil
}

// LoadFiles reads a certificate chain and its key from PEM files
// (--cert/--key).
func LoadFiles(certFile, keyFile string) (*Identity, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("devicetls: %w", err)
	}
	return &Identity{Certificate: cert, Path: certFile}, nil
}

func readIdentity(path string) (*Identity, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cert, err := tls.X509KeyPair(data, data)
	if err != nil {
		return nil, fmt.Errorf("devicetls: %s: %w", path, err)
	}
	return &Identity{Certificate: cert, Path: path}, nil
}

// createIdentity writes a new identity to a temporary file and links it to
// path, so that path appears whole or not at all; when another process got
// there first, its identity is the one returned.
func createIdentity(dir, path string, names []string, k KeySpec, now time.Time) (*Identity, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("devicetls: state directory: %w", err)
	}
	cert, err := NewCertificate(names, k, now)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("devicetls: %w", err)
	}
	var buf bytes.Buffer
	pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})
	pem.Encode(&buf, &pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})

	tmp, err := os.CreateTemp(dir, ".identity-*.pem")
	if err != nil {
		return nil, fmt.Errorf("devicetls: state directory: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("devicetls: writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("devicetls: writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("devicetls: writing %s: %w", tmp.Name(), err)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return readIdentity(path) // another replica made it first
	} else if err != nil {
		return nil, fmt.Errorf("devicetls: state directory: %w", err)
	}
	return &Identity{Certificate: cert, Path: path, Created: true}, nil
}
