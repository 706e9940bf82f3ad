// Package archcheck keeps gsmbox's dependency arrows pointing down
// (docs/architecture.md). Check applies the rules to an import graph;
// TestTree runs it on the real tree (`go list`), TestRules on small
// synthetic graphs, so a broken rule fails either way.
//
//   - Layers: dsp/ uses only gsm/'s leaves (gsm/tdma, gsm/phy); gsm/
//     knows nothing of dsp/, boards/, firmware/ or hardware.
//   - The order inside gsm/ (gsmOrder): tdma → coding → l1 → lapdm →
//     rr/mm/cc/sms/ss → bts, with core above, and the leaves (crypto, l3,
//     codec, gsmtap, trxproto; phy beside tdma, rsl above l1) placed
//     among them. Peers do not import one another; a new gsm/ package
//     needs a place in the table.
//   - Boards are data: nothing under boards/ links periph's host drivers
//     except boards/rf/rfhost, which opens a board; no other package
//     imports them.
//   - The host-side image builder (tools/mkimage) links neither bbolt
//     nor periph's host drivers, and firmware/config does not link bbolt.
//   - The sample seam dsp/radio (and radiotest) imports no DSP
//     processing.
//   - The big outside modules are each imported only by the layer that
//     owns them (periph, u-root, the TOML library).
package archcheck
