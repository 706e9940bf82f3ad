package pe4302

import "errors"

// ErrRange reports an attenuation outside 0..31.5 dB or not on the 0.5 dB grid.
var ErrRange = errors.New("pe4302: attenuation out of range")
