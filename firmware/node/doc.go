// Package node builds and runs one whole GSM network (the cell of each
// carrier, the core network above it, and its subscriber store) from a
// configuration (firmware/config), a board (boards.Descriptor) and a burst
// PHY (gsm/phy.Carrier). The appliance (its "cell" service), `gsmbox sim`
// and `gsmbox bts` all run a Node; `gsmbox trx` uses its cell layout and
// virtual phones.
//
//   - network.go: the one place bts.Cell and core.Network are built
//     (buildNetwork) from the configuration.
//   - node.go: the cell loop: per TDMA frame the PHY's next frame, the
//     inbox, the cell's downlink, the PHY's uplink into the cell; paced
//     by an injected clock (firmware/clock) in real time, or free-running
//     in virtual time.
//   - inbox.go: bounded command queues into the loop (paging, delivery,
//     console actions): the loop never waits on them, a full queue is an
//     error to the sender and is counted.
//   - snapshot.go: a consistent copy of the cell's and the core's state
//     and counters, readable from any goroutine.
//   - store.go: the one owner of the subscriber registry file, shared by
//     the cell and the USB workflow's imports.
//   - service.go: the appliance's cell service (supervisor.Service) on a
//     board's front end, with virtual phones on the simulated air.
//   - simair.go: the simulated air with the cell's endpoint and PHY.
//   - trx.go: the carrier as a PHY over the TRX protocol (trxclient).
//
// The virtual phones' engine is simphones; the TRX-protocol transceiver
// (gsmbox's DSP serving osmo-bts-trx) is trxserver.
//
// Place in the dependency order: above gsm/ (bts, core, l1, phy) and
// dsp/ (trx, sim), firmware/config, firmware/clock; below cmd/gsmbox.
// The frame loop follows the product rule that it never waits on disk,
// network or a contended lock; what crosses into it goes through the
// inbox, what crosses out through Snapshot.
package node
