package boards

import "github.com/gsmbox/gsmbox/gsm/tdma"

// The simulated board: the host running `gsmbox sim`, with the simulated air
// as its radio. It has no image; it supplies the RF limits config
// validation checks against when no hardware is present.
func init() {
	register(&Descriptor{
		Name:        "sim",
		Description: "host simulation: the simulated air, no hardware",
		GOARCH:      "",
		RF: RFChain{
			Frontend:    "sim",
			Bands:       []tdma.Band{tdma.GSM850, tdma.GSM900, tdma.RGSM900, tdma.DCS1800, tdma.PCS1900},
			MaxPowerDBm: 43,
			MinPowerDBm: -10,
		},
	})
}
