//go:build !race

package registry_test

const raceSlowdown = 1
