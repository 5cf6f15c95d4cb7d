package clientsecure_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// The document's fingerprint, pasted as the sketch has it, and written
// back in the other forms tools use.
func ExampleParsePin() {
	pin, err := clientsecure.ParsePin("CF 05 98 89 CA FF 8E D8 5E 5C E0 C2 E4 F7 E6 C3 C7 50 DD 5C")
	if err != nil {
		panic(err)
	}
	fmt.Println(pin.Kind())
	fmt.Println(pin.Format(clientsecure.FormatColon))
	fmt.Println(pin.Format(clientsecure.FormatOpenSSL))
	// Output:
	// certificate SHA-1
	// CF:05:98:89:CA:FF:8E:D8:5E:5C:E0:C2:E4:F7:E6:C3:C7:50:DD:5C
	// SHA1 Fingerprint=CF:05:98:89:CA:FF:8E:D8:5E:5C:E0:C2:E4:F7:E6:C3:C7:50:DD:5C
}

// Several backup pins, as curl takes them; any one matching is enough.
func ExampleParsePins() {
	pins, err := clientsecure.ParsePins("sha256//K87oWBWM9UZfyddvDfoxL+8lpNyoUB2ptGtn0fv6G2Q=;sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	if err != nil {
		panic(err)
	}
	for _, p := range pins {
		fmt.Println(p, "=", p.Format(clientsecure.FormatHPKP))
	}
	// Output:
	// sha256/K87oWBWM9UZfyddvDfoxL+8lpNyoUB2ptGtn0fv6G2Q= = pin-sha256="K87oWBWM9UZfyddvDfoxL+8lpNyoUB2ptGtn0fv6G2Q="
	// sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= = pin-sha256="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
}

// A malformed pin says where and what, and lists the forms accepted.
func ExampleParsePin_malformed() {
	_, err := clientsecure.ParsePin("CF 05 98 8G")
	fmt.Println(err.(*clientsecure.PinError).Reason)
	// Output:
	// 'G' is not a hex digit
}

// Dial a TLS server that speaks something other than HTTP (here MQTT),
// trusting a private CA and pinning its public key as a backup check.
func ExampleDial() {
	addr, root, leaf := exampleServer([]string{"mqtt"})
	trust := &clientsecure.Trust{
		Roots:      root,
		Pins:       []clientsecure.Pin{clientsecure.CertificatePins(leaf).SPKI},
		NextProtos: []string{"mqtt"},
		Time:       exampleTime,
	}
	conn, err := clientsecure.Dial(context.Background(), "tcp", addr, trust)
	if err != nil {
		fmt.Println(err) // an *IdentityError: nothing was sent
		return
	}
	defer conn.Close()
	fmt.Println("protocol:", conn.ConnectionState().NegotiatedProtocol)
	// Output:
	// protocol: mqtt
}

// NewClient is an http.Client whose connections are verified in the
// handshake; a wrong pin refuses the server before the request leaves.
func ExampleNewClient() {
	addr, root, _ := exampleServer([]string{"h2", "http/1.1"})
	stale, _ := clientsecure.ParsePin("CF 05 98 89 CA FF 8E D8 5E 5C E0 C2 E4 F7 E6 C3 C7 50 DD 5C")
	client := clientsecure.NewClient(&clientsecure.Trust{Roots: root, Pins: []clientsecure.Pin{stale}, Time: exampleTime})
	_, err := client.Get("https://" + addr + "/")
	var ie *clientsecure.IdentityError
	if errors.As(err, &ie) {
		fmt.Println(ie.Reason, "for", ie.Host)
		fmt.Println("the server presented", len(ie.Presented), "certificates")
	}
	// Output:
	// certificate pin mismatch for 127.0.0.1
	// the server presented 2 certificates
}

// A Trust reports what each handshake decided through OnVerified: here
// the pin that matched and the anchor the chain was verified to.
func ExampleTrust() {
	addr, root, leaf := exampleServer(nil)
	trust := &clientsecure.Trust{
		Roots: root,
		Pins:  []clientsecure.Pin{clientsecure.CertificatePins(leaf).SHA1},
		Time:  exampleTime,
		OnVerified: func(cs tls.ConnectionState, v *clientsecure.Verification) {
			fmt.Println("verified", v.Host, "at", v.Addr == addr)
			fmt.Println("pin", v.Pin.Kind(), "matched", v.Matched.Subject)
			fmt.Println("anchor", v.Chain[len(v.Chain)-1].Subject.CommonName)
		},
	}
	conn, err := clientsecure.Dial(context.Background(), "tcp", addr, trust)
	if err != nil {
		fmt.Println(err)
		return
	}
	conn.Close()
	// Output:
	// verified 127.0.0.1 at true
	// pin certificate SHA-1 matched CN=localhost
	// anchor clientsecure test root
}

func exampleTime() time.Time { return testcerts.Now }

// exampleServer starts a loopback TLS server offering protos (nil: no
// ALPN) that presents a test leaf and its intermediate, and returns its
// address, the root that verifies it and its leaf.
func exampleServer(protos []string) (string, *x509.CertPool, *x509.Certificate) {
	p := testcerts.Shared()
	cfg := &tls.Config{Certificates: []tls.Certificate{p.Good.TLS()}, NextProtos: protos, Time: exampleTime}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		panic(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if c.(*tls.Conn).Handshake() == nil && c.(*tls.Conn).ConnectionState().NegotiatedProtocol != "mqtt" {
					http.ReadRequest(bufio.NewReader(c))
					io.WriteString(c, "HTTP/1.1 204 No Content\r\n\r\n")
				}
			}()
		}
	}()
	return ln.Addr().String(), testcerts.Pool(p.Root.Cert), p.Good.Cert
}
