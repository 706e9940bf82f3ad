//go:build race

package registry_test

// raceSlowdown scales the time bounds of tests under the race detector.
const raceSlowdown = 10
