package main

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"github.com/clientsecure/clientsecure"
)

// setup is everything the groups share: the binary, the server's
// certificate and scenario, the tools found, and the running server.
type setup struct {
	work, bin     string
	cert, key     string // PEM files
	pin           string // curl's form, sha256//BASE64 (clientsecure reads it too)
	scenario      string
	refs          []ref
	addr, url     string // the server's, fixed for the whole run
	curl, gh, hub string // paths; gh and hub may be ""
	hubRepo       string // a git repository whose origin is the server, for hub
	env           []string

	server *exec.Cmd
	spent  int // API requests since the server started
}

// ref is one ref of the scenario: its name and commit.
type ref struct{ name, sha string }

const (
	owner, repo = "acme", "widget"
	// budget is how many requests a server answers before it is
	// restarted between runs: fakehub allows 5000 an hour, as GitHub does.
	budget = 4500
)

func newSetup(work, bin string, nrefs int) (*setup, error) {
	s := &setup{work: work, bin: bin}
	var err error
	if s.curl, err = exec.LookPath("curl"); err != nil {
		return nil, errors.New("curl is needed (Debian: apt-get install curl)")
	}
	s.gh, _ = exec.LookPath("gh")
	s.hub, _ = exec.LookPath("hub")
	if err := s.makeCertificate(); err != nil {
		return nil, err
	}
	if err := s.writeScenario(nrefs); err != nil {
		return nil, err
	}
	if s.addr, err = freeLoopbackAddr(); err != nil {
		return nil, err
	}
	s.url = "https://" + s.addr
	home := filepath.Join(work, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, err
	}
	// A clean environment: no proxy, no token, no user configuration.
	s.env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "LANG=C", "NO_COLOR=1"}
	if s.hub != "" {
		if err := s.makeHubRepo(); err != nil {
			return nil, err
		}
	}
	return s, s.startServer()
}

// makeCertificate has openssl make an ECDSA P-256 key and a self-signed
// certificate for 127.0.0.1, the server's own trust anchor.
func (s *setup) makeCertificate() error {
	s.cert, s.key = filepath.Join(s.work, "cert.pem"), filepath.Join(s.work, "key.pem")
	out, err := exec.Command("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
		"-nodes", "-keyout", s.key, "-out", s.cert, "-days", "30", "-subj", "/CN=clientsecure compare",
		"-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost").CombinedOutput()
	if err != nil {
		return fmt.Errorf("openssl: %v\n%s", err, out)
	}
	data, err := os.ReadFile(s.cert)
	if err != nil {
		return err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return errors.New("openssl wrote no PEM certificate")
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return err
	}
	s.pin = clientsecure.CertificatePins(c).SPKI.Format(clientsecure.FormatCurl)
	return nil
}

// writeScenario serves acme/widget with nrefs refs, each with three
// commit statuses and two check runs, all passing.
func (s *setup) writeScenario(nrefs int) error {
	type status struct {
		State       string `json:"state"`
		Context     string `json:"context"`
		Description string `json:"description"`
	}
	type run struct {
		Name       string `json:"name"`
		Status     string `json:"status"`
		Conclusion string `json:"conclusion"`
	}
	type refJSON struct {
		Name       string   `json:"name"`
		SHA        string   `json:"sha"`
		Statuses   []status `json:"statuses"`
		CheckRuns  []run    `json:"check_runs"`
		Rules      any      `json:"rules,omitempty"`
		Protection any      `json:"protection,omitempty"`
	}
	var refs []refJSON
	for i := range nrefs {
		name := fmt.Sprintf("r%03d", i)
		sum := sha1.Sum([]byte(name))
		s.refs = append(s.refs, ref{name, hex.EncodeToString(sum[:])})
		refs = append(refs, refJSON{
			Name: name, SHA: s.refs[i].sha,
			Statuses: []status{
				{"success", "ci/build", "The build passed"},
				{"success", "ci/test", "412 tests passed"},
				{"success", "codecov/project", "81.3% (+0.1%)"},
			},
			CheckRuns: []run{{"lint", "completed", "success"}, {"host tests", "completed", "success"}},
		})
	}
	// The default branch requires two checks (its rules one, classic
	// protection the other), and pull request 1 would merge r001 into it.
	refs[0].Rules = map[string]any{"required_status_checks": []any{map[string]any{"context": "lint"}}}
	refs[0].Protection = map[string]any{"contexts": []string{"ci/build"}}
	pulls := []any{map[string]any{"number": 1, "head": refs[min(1, nrefs-1)].Name}}
	sc := map[string]any{"repos": []any{map[string]any{"owner": owner, "name": repo, "default_branch": "r000", "refs": refs, "pulls": pulls}}}
	data, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		return err
	}
	s.scenario = filepath.Join(s.work, "scenario.json")
	return os.WriteFile(s.scenario, data, 0o644)
}

// makeHubRepo is a git repository whose origin is the server, and hub's
// configuration for it: hub finds the repository from the remote and the
// user and token from the configuration (without a user it asks /user).
func (s *setup) makeHubRepo() error {
	s.hubRepo = filepath.Join(s.work, "hubrepo")
	if err := os.MkdirAll(s.hubRepo, 0o755); err != nil {
		return err
	}
	for _, args := range [][]string{{"init", "-q"}, {"remote", "add", "origin", s.url + "/" + owner + "/" + repo + ".git"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env = s.hubRepo, s.env
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %v\n%s", args[0], err, out)
		}
	}
	conf := fmt.Sprintf("%s:\n- user: compare\n  oauth_token: compare-token\n  protocol: https\n", s.addr)
	return os.WriteFile(filepath.Join(s.work, "hub.yml"), []byte(conf), 0o600)
}

// freeLoopbackAddr picks a port the server keeps across restarts.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startServer runs `clientsecure serve` and waits until it serves.
func (s *setup) startServer() error {
	cmd := exec.Command(s.bin, "serve", "--addr", s.addr, "--cert", s.cert, "--key", s.key, "--scenario", s.scenario)
	cmd.Env = s.env
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	r := bufio.NewReader(out)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			return fmt.Errorf("clientsecure serve did not start: %w\n%s", err, stderr.String())
		}
		if strings.HasPrefix(line, "serving until interrupted") {
			break
		}
	}
	go io.Copy(io.Discard, r)
	s.server, s.spent = cmd, 0
	return nil
}

func (s *setup) stop() {
	if s.server != nil {
		s.server.Process.Signal(syscall.SIGTERM)
		s.server.Wait()
		s.server = nil
	}
}

// spend makes room for n more requests, restarting the server (between
// runs, untimed) before its rate limit would run out.
func (s *setup) spend(n int) error {
	if s.spent+n > budget {
		s.stop()
		if err := s.startServer(); err != nil {
			return err
		}
	}
	s.spent += n
	return nil
}

// describe says what the numbers were measured on.
func (s *setup) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "machine   %s, %d CPUs, %s/%s\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(&b, "server    clientsecure serve on %s (HTTP/2, TLS 1.3, ECDSA P-256), acme/widget with %d refs\n", s.url, len(s.refs))
	fmt.Fprintf(&b, "tools     clientsecure: %s, built with go build -o (%s)\n", s.bin, runtime.Version())
	for _, path := range []string{s.curl, s.gh, s.hub} {
		if path != "" {
			fmt.Fprintf(&b, "          %s\n", version(path))
		}
	}
	if s.gh == "" || s.hub == "" {
		fmt.Fprintf(&b, "          (gh or hub not installed: -install installs them with apt-get)\n")
	}
	return b.String()
}

func version(path string) string {
	cmd := exec.Command(path, "--version")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir()}
	out, err := cmd.Output()
	name := filepath.Base(path)
	if err != nil {
		return name + " (version unknown)"
	}
	for _, line := range strings.Split(string(out), "\n") {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, name+" ") {
			return line
		}
	}
	return name + ": " + strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// buildBinary builds the command once, as a user would install it.
func buildBinary(out string) error {
	cmd := exec.Command("go", "build", "-o", out, "./cmd/clientsecure")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build (run this from the module's root): %w", err)
	}
	return nil
}

// installTools installs gh and hub from the distribution's packages, where
// they are missing.
func installTools(w io.Writer) error {
	var missing []string
	for _, tool := range []string{"gh", "hub"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return fmt.Errorf("-install needs apt-get (Debian, Ubuntu); install %s yourself", strings.Join(missing, " and "))
	}
	policy := exec.Command("apt-cache", append([]string{"policy"}, missing...)...)
	policy.Stdout, policy.Stderr = w, w
	policy.Run()
	install := exec.Command("apt-get", append([]string{"install", "-y", "--no-install-recommends"}, missing...)...)
	install.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	install.Stdout, install.Stderr = w, w
	if err := install.Run(); err != nil {
		return fmt.Errorf("apt-get install %s: %w (as root?)", strings.Join(missing, " "), err)
	}
	return nil
}
