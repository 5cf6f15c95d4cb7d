package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

// sample is one run of a variant: its wall time and the largest peak
// resident set size among its processes, in KiB.
type sample struct {
	wall time.Duration
	rss  int64
}

// measure runs one warm-up round (checked, not counted), then runs
// measured rounds, the variants interleaved: A B C A B C ...
func (g *group) measure(s *setup, runs int) error {
	fmt.Fprintf(os.Stderr, "compare: %s: %d runs of %d variants\n", g.title, runs, len(g.variants))
	for round := -1; round < runs; round++ {
		for _, v := range g.variants {
			if err := s.spend(v.requests); err != nil {
				return err
			}
			smp, out, err := s.runVariant(v, round < 0)
			if err != nil {
				return fmt.Errorf("%s: %w", v.name, err)
			}
			if round < 0 {
				if err := v.check(out); err != nil {
					return fmt.Errorf("%s: %w", v.name, err)
				}
				continue
			}
			v.samples = append(v.samples, smp)
		}
	}
	return nil
}

// runVariant runs a variant's processes one after the other; with capture
// their standard output is returned, else it goes to /dev/null.
func (s *setup) runVariant(v *variant, capture bool) (sample, string, error) {
	var smp sample
	var out bytes.Buffer
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return smp, "", err
	}
	defer devNull.Close()
	for _, argv := range v.cmds {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = v.dir
		cmd.Env = append(append([]string{}, s.env...), v.env...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		cmd.Stdout = devNull
		if capture {
			cmd.Stdout = &out
		}
		start := time.Now()
		err := cmd.Run()
		smp.wall += time.Since(start)
		if err != nil {
			return smp, "", fmt.Errorf("%s: %v\n%s", strings.Join(argv[:min(len(argv), 4)], " "), err, stderr.String())
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			smp.rss = max(smp.rss, ru.Maxrss) // KiB on Linux
		}
	}
	return smp, out.String(), nil
}

func (v *variant) medians() (time.Duration, int64) {
	walls := make([]time.Duration, len(v.samples))
	rss := make([]int64, len(v.samples))
	for i, s := range v.samples {
		walls[i], rss[i] = s.wall, s.rss
	}
	slices.Sort(walls)
	slices.Sort(rss)
	return walls[len(walls)/2], rss[len(rss)/2]
}

func (v *variant) spread() (time.Duration, time.Duration) {
	lo, hi := v.samples[0].wall, v.samples[0].wall
	for _, s := range v.samples {
		lo, hi = min(lo, s.wall), max(hi, s.wall)
	}
	return lo, hi
}

func (g *group) baseline() *variant {
	for _, v := range g.variants {
		if v.baseline {
			return v
		}
	}
	return g.variants[0]
}

func (g *group) find(prefix string) *variant {
	for _, v := range g.variants {
		if strings.HasPrefix(v.name, prefix) {
			return v
		}
	}
	return nil
}

func (g *group) print(w io.Writer) {
	base := g.baseline()
	baseWall, baseRSS := base.medians()
	fmt.Fprintf(w, "\n%s (%d runs, interleaved; ratios against %s)\n", g.title, len(base.samples), base.name)
	fmt.Fprintf(w, "  %-44s %11s %19s %10s %9s %9s\n", "", "median wall", "min..max", "peak RSS", "wall", "RSS")
	for _, v := range g.variants {
		wall, rss := v.medians()
		lo, hi := v.spread()
		fmt.Fprintf(w, "  %-44s %8.1f ms %8.1f..%-8.1f %6.1f MiB %8.2fx %8.2fx\n", v.name, ms(wall), ms(lo), ms(hi),
			float64(rss)/1024, float64(wall)/float64(baseWall), float64(rss)/float64(baseRSS))
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// printTargets checks the targets against the medians.
func printTargets(w io.Writer, groups []*group) {
	byTitle := map[string]*group{}
	for _, g := range groups {
		byTitle[strings.SplitN(g.title, ":", 2)[0]] = g
	}
	ratio := func(group, a, b string, rss bool) (float64, bool) {
		g := byTitle[group]
		if g == nil || g.find(a) == nil || g.find(b) == nil {
			return 0, false
		}
		wa, ra := g.find(a).medians()
		wb, rb := g.find(b).medians()
		if rss {
			return float64(ra) / float64(rb), true
		}
		return float64(wa) / float64(wb), true
	}
	fmt.Fprintln(w, "\ntargets (issue 9)")
	for _, t := range []struct {
		what     string
		group    string
		a, b     string
		rss      bool
		atMost   bool
		limit    float64
		describe string
	}{
		{"get wall vs curl", "get", "clientsecure get", "curl", false, true, 1.0, "at most 1.0x"},
		{"status (1 ref) wall vs curl", "status", "clientsecure status", "curl", false, true, 1.2, "at most 1.2x"},
		{"status (1 ref) peak RSS vs curl", "status", "clientsecure status", "curl", true, true, 1.0, "at most 1.0x"},
		{"refs: one by one vs at once", "refs", "clientsecure status, one by one", "clientsecure status,", false, false, 10, "at least 10x"},
	} {
		r, ok := ratio(t.group, t.a, t.b, t.rss)
		if !ok {
			fmt.Fprintf(w, "  %-34s not measured\n", t.what)
			continue
		}
		met := r <= t.limit
		if !t.atMost {
			met = r >= t.limit
		}
		verdict := map[bool]string{true: "met", false: "MISSED"}[met]
		fmt.Fprintf(w, "  %-34s %6.2fx  (%s)  %s\n", t.what, r, t.describe, verdict)
	}
}
