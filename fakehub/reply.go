package fakehub

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
)

const jsonType = "application/json; charset=utf-8"

// reply is an answer computed under the Hub's lock and written after it.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// errorBody is GitHub's error JSON, which go-github decodes into
// github.ErrorResponse.
type errorBody struct {
	Message          string `json:"message"`
	DocumentationURL string `json:"documentation_url,omitempty"`
	Status           string `json:"status"`
}

func (rep *reply) ok(v any) {
	rep.status = http.StatusOK
	rep.header.Set("Content-Type", jsonType)
	rep.body = mustJSON(v)
}

func (rep *reply) fail(status int, message, docs string) {
	rep.status = status
	rep.header.Set("Content-Type", jsonType)
	rep.body = mustJSON(errorBody{Message: message, DocumentationURL: docs, Status: strconv.Itoa(status)})
}

// setETag makes a strong ETag from the body, so it changes exactly when
// what a client would read changes.
func (rep *reply) setETag() {
	sum := sha256.Sum256(rep.body)
	rep.header.Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
}

func (rep *reply) notModified() {
	rep.status = http.StatusNotModified
	rep.header.Del("Content-Type")
	rep.body = nil
}

func (rep *reply) write(w http.ResponseWriter, r *http.Request) {
	for k, v := range rep.header {
		w.Header()[k] = v
	}
	if rep.status != http.StatusNotModified {
		w.Header().Set("Content-Length", strconv.Itoa(len(rep.body)))
	}
	w.WriteHeader(rep.status)
	if r.Method != http.MethodHead {
		w.Write(rep.body) // a client gone away is not the Hub's error
	}
}

// mustJSON encodes the Hub's own types, which cannot fail to encode.
// Compact, without a final newline, with "state" first in a combined
// status: the document's sketch looks for `{"state":"success"` at the
// start of the body, and GitHub sends exactly that.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("fakehub: encoding a response: " + err.Error())
	}
	return b
}
