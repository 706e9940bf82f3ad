package rf

// Chain describes an RF front end built from discrete parts (or one
// transceiver chip) as data: which chips sit on which bus, which GPIO line
// does what, and the limits the interlocks enforce. Board descriptors in
// boards/ point at a Chain; the bring-up code in this package reads it.
//
// This type is owned by the RF front-end work and grows with the drivers.
type Chain struct {
	// Name identifies the front end, e.g. "gsmbox-rpi4-hat".
	Name string
}
