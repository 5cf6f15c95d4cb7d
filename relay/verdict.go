package relay

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/clientsecure/clientsecure/buildstatus"
)

// MaxBody is the most a status reply carries, so a device can read it
// into one small buffer.
const MaxBody = 512

// verdict is what a device is told about one ref.
type verdict struct {
	state     buildstatus.State
	sha       string
	checkedAt time.Time
	failing   []string
}

// githubState is the combined state GitHub's status endpoint would give
// for the verdict: its three words, with nothing reported as pending.
func githubState(s buildstatus.State) string {
	switch s {
	case buildstatus.StateSuccess:
		return "success"
	case buildstatus.StateFailure:
		return "failure"
	}
	return "pending"
}

// encode is the reply body, at most MaxBody bytes with its final newline
// (the sketch reads the body with readStringUntil('\n')). age is the
// verdict's age in seconds, or -1 to leave it out.
func (v *verdict) encode(age int64) []byte {
	b := make([]byte, 0, MaxBody)
	b = append(b, `{"state":"`...)
	b = append(b, githubState(v.state)...)
	b = append(b, `","verdict":`...)
	b = appendString(b, string(v.state))
	b = append(b, `,"sha":`...)
	b = appendString(b, v.sha)
	b = append(b, `,"checked_at":"`...)
	b = v.checkedAt.UTC().AppendFormat(b, time.RFC3339)
	b = append(b, '"')
	if age >= 0 {
		b = append(b, `,"age_s":`...)
		b = strconv.AppendInt(b, age, 10)
	}
	b = append(b, `,"failing":[`...)
	// Room for the close, a "failing_more" count and the newline.
	const tail = len(`],"failing_more":99999}` + "\n")
	fitted := 0
	for _, name := range v.failing {
		next := appendString(nil, name)
		sep := 0
		if fitted > 0 {
			sep = 1
		}
		if len(b)+sep+len(next)+tail > MaxBody {
			break
		}
		if sep == 1 {
			b = append(b, ',')
		}
		b = append(b, next...)
		fitted++
	}
	b = append(b, ']')
	if more := len(v.failing) - fitted; more > 0 {
		b = append(b, `,"failing_more":`...)
		b = strconv.AppendInt(b, int64(more), 10)
	}
	return append(b, "}\n"...)
}

func appendString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}

// verdictOf is the device's view of a Result.
func verdictOf(res *buildstatus.Result, at time.Time) *verdict {
	v := &verdict{state: res.State, sha: res.SHA, checkedAt: at, failing: []string{}}
	for _, c := range res.Contexts {
		if c.State == buildstatus.StateFailure {
			v.failing = append(v.failing, c.Name)
		}
	}
	return v
}
