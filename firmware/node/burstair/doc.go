// Package burstair is a simulated air at the burst level: tier 2 of the
// test plan as a phy.Carrier. The node's cell loop drives it as it drives
// a transceiver, and virtual phones (gsm/ms) hear the downlink and send
// their uplink as confident soft bits, with no DSP in between. It is the
// fast air for storms and long soaks: hundreds of phones for a day of
// virtual time in minutes of wall time.
//
// Access bursts collide as on a real receiver: two channel requests in
// the same RACH slot are both lost (the slot shows energy that does not
// decode) unless the strongest is at least CaptureDB above the next. Each
// phone has a fixed uplink level and timing advance. Everything else on
// the uplink arrives intact: the cell gives each phone its own channel.
//
// One goroutine, the node's loop, calls every method. The phones are the
// caller's; Set and Remove put them on and off the air between frames.
//
// Place: above gsm/ms, gsm/ms/mstest and gsm/phy; firmware/node/soak and
// cmd/gsmbox (sim --tier2, --soak) use it.
package burstair
