//go:build race

package buildstatus

// raceEnabled: the race detector makes sync.Pool drop what is put in it,
// so buffers the runtime would reuse are allocated again and again, and
// allocation counts no longer say anything about the code under test. The
// memory tests still run their cases, and log what they measure, but
// assert the caps only without -race.
const raceEnabled = true
