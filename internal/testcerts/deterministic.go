package testcerts

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"math/big"
	"sync/atomic"
)

// Deterministic makes a PKI of the same shape as New whose certificates are
// byte for byte the same on every run and machine for the same seed, so that
// golden files may hold their fingerprints and PEM. Keys are derived from the
// seed and each certificate's serial number, serial numbers count up from 1
// in the order New makes them, and signatures are deterministic (RFC 6979
// ECDSA, PKCS #1 v1.5 RSA, Ed25519). Authorities of the returned PKI keep issuing
// deterministically: the n-th certificate made after it gets the same key on
// every run too.
//
// The keys are as secret as the seed, which is to say not at all: tests only.
func Deterministic(seed string) *PKI {
	return newPKI(&source{seed: []byte(seed)}, Now)
}

// source is where an authority's keys, serial numbers and signing
// randomness come from: crypto/rand (random, shared by every fresh PKI) or a
// seed.
type source struct {
	seed   []byte // nil: fresh keys from crypto/rand
	serial atomic.Int64
}

// random is the source of New and of every authority made without a seed.
var random = &source{}

func (s *source) nextSerial() *big.Int { return big.NewInt(s.serial.Add(1)) }

// signingRand is what certificates are signed with: nil asks for the
// deterministic signatures of RFC 6979 (and PKCS #1 v1.5 needs none).
func (s *source) signingRand() io.Reader {
	if s.seed == nil {
		return rand.Reader
	}
	return nil
}

// key makes the key of the certificate with this serial number.
func (s *source) key(k Key, serial *big.Int) crypto.Signer {
	if s.seed == nil {
		return k.generate()
	}
	stream := s.stream("key", serial.Int64())
	if k.Ed25519 {
		seed := make([]byte, ed25519.SeedSize)
		stream(seed)
		return ed25519.NewKeyFromSeed(seed)
	}
	if k.RSABits == 0 {
		return deterministicECDSA(stream)
	}
	return deterministicRSA(stream, k.RSABits)
}

// stream is an endless SHA-256 counter-mode byte stream from the seed, a
// label and a number: what keys are drawn from. crypto/ecdsa and crypto/rsa
// ignore custom readers since Go 1.26, so the keys are built here.
func (s *source) stream(label string, n int64) func([]byte) {
	var block uint64
	var buf []byte
	return func(p []byte) {
		for i := range p {
			if len(buf) == 0 {
				h := sha256.New()
				h.Write(s.seed)
				h.Write([]byte{0})
				h.Write([]byte(label))
				h.Write(binary.BigEndian.AppendUint64(nil, uint64(n)))
				h.Write(binary.BigEndian.AppendUint64(nil, block))
				buf = h.Sum(nil)
				block++
			}
			p[i] = buf[0]
			buf = buf[1:]
		}
	}
}

func deterministicECDSA(read func([]byte)) *ecdsa.PrivateKey {
	scalar := make([]byte, 32)
	for {
		read(scalar)
		// Out of range (zero or not below the order) is about 2^-32
		// likely: draw again.
		if key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), scalar); err == nil {
			return key
		}
	}
}

func deterministicRSA(read func([]byte), bits int) *rsa.PrivateKey {
	e := big.NewInt(65537)
	one := big.NewInt(1)
	for {
		p, q := prime(read, bits/2), prime(read, bits-bits/2)
		if p.Cmp(q) == 0 {
			continue
		}
		pm1 := new(big.Int).Sub(p, one)
		qm1 := new(big.Int).Sub(q, one)
		phi := new(big.Int).Mul(pm1, qm1)
		d := new(big.Int).ModInverse(e, phi)
		if d == nil {
			continue // e divides p-1 or q-1
		}
		key := &rsa.PrivateKey{
			PublicKey: rsa.PublicKey{N: new(big.Int).Mul(p, q), E: int(e.Int64())},
			D:         d,
			Primes:    []*big.Int{p, q},
		}
		key.Precompute()
		must(key.Validate())
		return key
	}
}

// prime draws odd numbers of exactly bits bits with the top two set (so
// that two of them multiply to a full-size modulus) until one is prime.
func prime(read func([]byte), bits int) *big.Int {
	b := make([]byte, (bits+7)/8)
	for {
		read(b)
		if extra := len(b)*8 - bits; extra > 0 {
			b[0] &= 0xff >> extra
		}
		n := new(big.Int).SetBytes(b)
		n.SetBit(n, bits-1, 1)
		n.SetBit(n, bits-2, 1)
		n.SetBit(n, 0, 1)
		if n.ProbablyPrime(20) {
			return n
		}
	}
}
