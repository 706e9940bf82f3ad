// Package archcheck holds the test that keeps gsmbox's dependency arrows
// pointing down (docs/architecture in DESIGN.md): the DSP core does not
// reach into the GSM stack, the GSM stack knows nothing of DSP, boards,
// firmware or hardware, and the big outside modules are each imported only
// by the layer that owns them.
package archcheck
