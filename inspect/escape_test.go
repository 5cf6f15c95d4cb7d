package inspect

import "testing"

func TestCSymbol(t *testing.T) {
	for host, want := range map[string]string{
		"api.github.com":        "API_GITHUB_COM",
		"localhost":             "LOCALHOST",
		"127.0.0.1":             "HOST_127_0_0_1",
		"::1":                   "HOST_1",
		"2001:db8::1":           "HOST_2001_DB8_1",
		"my-server.local.":      "MY_SERVER_LOCAL",
		"":                      "SERVER",
		"...":                   "SERVER",
		"évil\"host\\":          "VIL_HOST",
		"xn--bcher-kva.example": "XN_BCHER_KVA_EXAMPLE",
	} {
		if got := cSymbol(host); got != want {
			t.Errorf("cSymbol(%q) = %q, want %q", host, got, want)
		}
	}
}

func TestEscapes(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		f              func(string) string
	}{
		{"c plain", "api.github.com", `"api.github.com"`, cString},
		{"c quote and backslash", `a"b\c`, `"a\"b\\c"`, cString},
		{"c trigraph", "??/", `"\?\?/"`, cString},
		{"c newline", "a\nb", `"a\nb"`, cString},
		{"c control and utf-8 as octal", "\x01é1", `"\001\303\2511"`, cString},
		{"java", `a"b\c`, `"a\"b\\c"`, javaString},
		{"java non-ascii", "é\n𝄞", `"\u00e9\u000a\ud834\udd1e"`, javaString},
		{"comment plain", "CN=localhost,O=x", "CN=localhost,O=x", comment},
		{"comment newline", "a\nb", `"a\nb"`, comment},
		{"comment final backslash", `a\`, `"a\\"`, comment},
		{"comment java unicode escape", `\u000a`, `"\\u000a"`, comment},
		{"shell plain", "https://[::1]:8443/", "https://[::1]:8443/", shellQuote},
		{"shell meta", "a b'c;$(x)", `'a b'\''c;$(x)'`, shellQuote},
		{"shell empty", "", "''", shellQuote},
		{"printable", "CN=ü", "CN=ü", printable},
		{"printable escape", "CN=\x1b[2J", `"CN=\x1b[2J"`, printable},
	} {
		if got := tc.f(tc.in); got != tc.want {
			t.Errorf("%s: %q -> %s, want %s", tc.name, tc.in, got, tc.want)
		}
	}
}
