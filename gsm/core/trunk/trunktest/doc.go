// Package trunktest runs the programs the SIP trunk is checked against,
// on 127.0.0.1 in temporary directories: kamailio as the provider
// (registrar and proxy with digest authentication) and baresip as the
// far-end phone (a tone from a WAV file in, what it hears recorded), and
// measures tones in decoded speech. Each skips the test (or fails it under
// GSMBOX_REQUIRE_TOOLS=1) when its program is missing.
package trunktest
