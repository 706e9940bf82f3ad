package trxproto

// Port layout of the TRX protocol (OsmoTRX user manual, "TRX Manager UDP
// socket interface"): the transceiver listens on base port B, B+1+2n and
// B+2+2n for channel n; the layer 1 side uses the same layout at
// B+ClientOffset.
const (
	// DefaultBasePort is the transceiver's default base port.
	DefaultBasePort = 5700
	// ClientOffset is how far above the transceiver's ports the layer 1
	// side's ports are.
	ClientOffset = 100
)

// Ports is the port layout for one side of the protocol.
type Ports struct{ Base int }

// Clock returns the clock port (shared by all channels).
func (p Ports) Clock() int { return p.Base }

// Control returns the control port of channel n.
func (p Ports) Control(n int) int { return p.Base + 1 + 2*n }

// Data returns the data port of channel n.
func (p Ports) Data(n int) int { return p.Base + 2 + 2*n }

// Peer returns the layout of the other side, given the transceiver's
// layout (or the transceiver's, given the layer 1 side's when inverse).
func (p Ports) Peer(inverse bool) Ports {
	if inverse {
		return Ports{Base: p.Base - ClientOffset}
	}
	return Ports{Base: p.Base + ClientOffset}
}
