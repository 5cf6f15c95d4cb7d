//go:build !race

package buildstatus

const raceEnabled = false
