package main

import (
	"net"
	"time"

	"github.com/spf13/pflag"

	"github.com/clientsecure/clientsecure/devicetls"
)

// deviceFlags are the device-side TLS flags that serve and relay share.
type deviceFlags struct {
	addr      string
	rsaBits   int
	certFile  string
	keyFile   string
	maxRecord int
}

func (d *deviceFlags) register(f *pflag.FlagSet) {
	f.StringVar(&d.addr, "addr", "127.0.0.1:8443", "address to listen on (0.0.0.0:8443 to reach it from the LAN)")
	f.IntVar(&d.rsaBits, "rsa", 0, "make an RSA key of this many bits instead of ECDSA P-256 (adds the plain-RSA suites)")
	f.StringVar(&d.certFile, "cert", "", "PEM certificate chain to serve instead of a generated one")
	f.StringVar(&d.keyFile, "key", "", "PEM private key of --cert")
	f.IntVar(&d.maxRecord, "max-record", devicetls.DefaultMaxRecord, "largest TLS record plaintext sent, handshake included on TLS 1.2 (512 to 16384)")
}

func (d *deviceFlags) check() error {
	if _, _, err := net.SplitHostPort(d.addr); err != nil {
		return usagef("--addr %q: want HOST:PORT like 127.0.0.1:8443", d.addr)
	}
	if err := devicetls.CheckMaxRecord(d.maxRecord); err != nil {
		return usagef("--max-record %d: want 512 to 16384 bytes", d.maxRecord)
	}
	if (d.certFile == "") != (d.keyFile == "") {
		return usagef("--cert and --key go together")
	}
	if d.certFile != "" && d.rsaBits != 0 {
		return usagef("--rsa makes a key; --cert/--key bring one: choose")
	}
	if err := (devicetls.KeySpec{RSABits: d.rsaBits}).Check(); err != nil {
		return usagef("--rsa %d: want 2048 to 8192 bits", d.rsaBits)
	}
	return nil
}

func (d *deviceFlags) tlsOptions() devicetls.Options {
	return devicetls.Options{MaxRecord: d.maxRecord}
}

// identity is --cert/--key, else the identity kept in stateDir, else
// (stateDir "") a fresh one, named for every address of the machine.
func (d *deviceFlags) identity(stateDir string, now time.Time) (*devicetls.Identity, error) {
	if d.certFile != "" {
		id, err := devicetls.LoadFiles(d.certFile, d.keyFile)
		if err != nil {
			return nil, usagef("--cert/--key: %v", err)
		}
		return id, nil
	}
	host, _, _ := net.SplitHostPort(d.addr)
	names := devicetls.MachineNames(host)
	k := devicetls.KeySpec{RSABits: d.rsaBits}
	if stateDir == "" {
		cert, err := devicetls.NewCertificate(names, k, now)
		if err != nil {
			return nil, err
		}
		return &devicetls.Identity{Certificate: cert}, nil
	}
	return devicetls.LoadOrCreate(stateDir, names, k, now)
}
