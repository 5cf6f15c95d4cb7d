package check

import (
	"bytes"
	"fmt"
	"strings"
)

// The diff is written here rather than taken from a library: the changes
// are known exactly (each finding replaces the bytes [Start, End)), so the
// hunks follow from them without a general line-matching algorithm, and
// the output is checked against patch(1) in the tests.

const diffContext = 3

// block is a run of old lines [a, b) replaced by new lines.
type block struct {
	a, b  int
	lines []string
}

// unified is the unified diff of old rewritten by fs (sorted by Start,
// not overlapping), labelled a/name and b/name.
func unified(name string, old []byte, fs []*Finding) string {
	lines := splitLines(old)
	starts := make([]int, len(lines)+1)
	for i, l := range lines {
		starts[i+1] = starts[i] + len(l)
	}
	lineOf := func(off int) int { // the line holding byte off
		lo, hi := 0, len(lines)-1
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if starts[mid] <= off {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		return lo
	}
	var blocks []block
	for i := 0; i < len(fs); {
		a := lineOf(fs[i].Item.Start)
		b := lineOf(max(fs[i].Item.End-1, fs[i].Item.Start)) + 1
		var nb strings.Builder
		pos := starts[a]
		j := i
		for ; j < len(fs) && lineOf(fs[j].Item.Start) < b; j++ {
			b = max(b, lineOf(max(fs[j].Item.End-1, fs[j].Item.Start))+1)
			nb.Write(old[pos:fs[j].Item.Start])
			nb.WriteString(fs[j].Replacement)
			pos = fs[j].Item.End
		}
		nb.Write(old[pos:starts[b]])
		blk := block{a: a, b: b, lines: splitLines([]byte(nb.String()))}
		// Lines the replacement leaves as they were (a PEM block's BEGIN
		// and END lines) are context, not change.
		for blk.a < blk.b && len(blk.lines) > 0 && blk.lines[0] == lines[blk.a] {
			blk.a++
			blk.lines = blk.lines[1:]
		}
		for blk.a < blk.b && len(blk.lines) > 0 && blk.lines[len(blk.lines)-1] == lines[blk.b-1] {
			blk.b--
			blk.lines = blk.lines[:len(blk.lines)-1]
		}
		if blk.a < blk.b || len(blk.lines) > 0 {
			blocks = append(blocks, blk)
		}
		i = j
	}
	if len(blocks) == 0 {
		return ""
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- a/%s\n+++ b/%s\n", name, name)
	delta := 0 // new line number minus old, before the current hunk
	for i := 0; i < len(blocks); {
		j := i + 1
		for j < len(blocks) && blocks[j].a-blocks[j-1].b <= 2*diffContext {
			j++
		}
		start := max(blocks[i].a-diffContext, 0)
		end := min(blocks[j-1].b+diffContext, len(lines))
		var body strings.Builder
		oldN, newN := 0, 0
		pos := start
		hunkDelta := delta
		for _, blk := range blocks[i:j] {
			for ; pos < blk.a; pos++ {
				writeLine(&body, ' ', lines[pos])
				oldN++
				newN++
			}
			for ; pos < blk.b; pos++ {
				writeLine(&body, '-', lines[pos])
				oldN++
			}
			for _, l := range blk.lines {
				writeLine(&body, '+', l)
				newN++
			}
			delta += len(blk.lines) - (blk.b - blk.a)
		}
		for ; pos < end; pos++ {
			writeLine(&body, ' ', lines[pos])
			oldN++
			newN++
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(start, oldN), hunkRange(start+hunkDelta, newN))
		out.WriteString(body.String())
		i = j
	}
	return out.String()
}

// hunkRange is "start,count" as unified diffs write it: 1-based, and the
// line before an empty range.
func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

func writeLine(b *strings.Builder, mark byte, l string) {
	b.WriteByte(mark)
	b.WriteString(l)
	if !strings.HasSuffix(l, "\n") {
		b.WriteString("\n\\ No newline at end of file\n")
	}
}

// splitLines splits after each "\n", keeping it (and any "\r").
func splitLines(b []byte) []string {
	var out []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, string(b))
			break
		}
		out = append(out, string(b[:i+1]))
		b = b[i+1:]
	}
	return out
}
