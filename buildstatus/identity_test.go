package buildstatus

import (
	"errors"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// The CLI's client: verified inside the handshake by clientsecure.

func verifiedClient(pins ...clientsecure.Pin) *clientsecure.Trust {
	return &clientsecure.Trust{
		Roots: testcerts.Pool(testcerts.Shared().Root.Cert),
		Pins:  pins,
		Time:  func() time.Time { return testcerts.Now },
	}
}

func TestCheckOverTheVerifiedClient(t *testing.T) {
	srv, _ := startHub(t, nil)
	good := clientsecure.CertificatePins(testcerts.Shared().Good.Cert).SHA1
	hc := clientsecure.NewClient(verifiedClient(good))
	t.Cleanup(hc.CloseIdleConnections)
	res, err := newTestClient(t, hc, srv.URL, testToken).Check(testCtx(t), Target{Owner: "esp8266", Repo: "Arduino", Ref: ""}, Want{})
	if err != nil || res.State != StateSuccess {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestPinMismatchSendsNothing(t *testing.T) {
	srv, _ := startHub(t, nil)
	stale := clientsecure.CertificatePins(testcerts.Shared().WrongHost.Cert).SHA1 // the document's stale fingerprint
	hc := clientsecure.NewClient(verifiedClient(stale))
	t.Cleanup(hc.CloseIdleConnections)
	res, err := newTestClient(t, hc, srv.URL, testToken).Check(testCtx(t), Target{Owner: "esp8266", Repo: "Arduino", Ref: "master"}, Want{})
	var ie *clientsecure.IdentityError
	if !errors.As(err, &ie) || ie.Reason != clientsecure.ReasonPinMismatch {
		t.Fatalf("got %v, want a pin mismatch *clientsecure.IdentityError in the chain", err)
	}
	checkErrorText(t, err)
	if res.State != StateError {
		t.Errorf("state %v", res.State)
	}
	if st := srv.Hub.Stats(); st.Requests != 0 || st.WithToken != 0 {
		t.Errorf("hub stats %+v: the server got requests from a client that did not trust it", st)
	}
}
