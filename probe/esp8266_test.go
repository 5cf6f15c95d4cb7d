package probe

import (
	"strings"
	"testing"
)

func TestEstimateESP8266(t *testing.T) {
	tests := []struct {
		fragment       int
		recv, xmit     int
		perConnection  int
		setBufferSizes string
		verdict        string
	}{
		{512, 837, 597, 6656, "setBufferSizes(512, 512)", "fits in about 7 KB with max_fragment_length 512 (setBufferSizes(512, 512)), plus the 6 KB BearSSL stack"},
		{1024, 1349, 597, 7168, "setBufferSizes(1024, 512)", "fits in about 7 KB with max_fragment_length 1024"},
		{2048, 2373, 597, 8192, "setBufferSizes(2048, 512)", "fits in about 8 KB with max_fragment_length 2048"},
		{4096, 4421, 597, 10240, "setBufferSizes(4096, 512)", "fits in about 10 KB with max_fragment_length 4096"},
		// The documented default: "approximately 22KB" a connection.
		{0, 16709, 597, 22528, "setBufferSizes(16384, 512)", "needs the full 16 KB receive buffer: about 22 KB per connection"},
		{300, 16709, 597, 22528, "setBufferSizes(16384, 512)", "needs the full 16 KB receive buffer"},
	}
	for _, tt := range tests {
		e := EstimateESP8266(tt.fragment)
		if e.ReceiveBuffer != tt.recv || e.TransmitBuffer != tt.xmit || e.PerConnection != tt.perConnection {
			t.Errorf("%d: receive %d transmit %d per connection %d, want %d %d %d",
				tt.fragment, e.ReceiveBuffer, e.TransmitBuffer, e.PerConnection, tt.recv, tt.xmit, tt.perConnection)
		}
		if e.ReceiveBuffer+e.TransmitBuffer+e.Context != e.PerConnection || e.SecondaryStack != 6144 {
			t.Errorf("%d: parts %+v do not add up", tt.fragment, e)
		}
		if e.SetBufferSizes != tt.setBufferSizes || !strings.HasPrefix(e.Verdict, tt.verdict) {
			t.Errorf("%d: %s, %q; want %s, %q", tt.fragment, e.SetBufferSizes, e.Verdict, tt.setBufferSizes, tt.verdict)
		}
	}
}
