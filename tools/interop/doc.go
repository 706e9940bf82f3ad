// Package interop holds gsmbox's interop test tier: end-to-end checks of the
// built gsmbox binary against programs we did not write, from Debian's
// packages. A receiver we did not write (gr-gsm) decodes our downlink IQ,
// and tshark dissects what it decoded.
//
// The tests skip with a message naming the package when a tool is missing
// on a developer machine, and fail in CI (GSMBOX_REQUIRE_TOOLS=1, set by
// ./build.sh test).
package interop
