package usbredir

import (
	"encoding/binary"
	"fmt"
)

// The wire format, from the usbredir protocol description 0.7: every
// integer is little-endian, every struct packed. Each packet is a header
//
//	uint32 type
//	uint32 length   // of what follows the header
//	uint32 id       // uint64 when both sides have Cap64BitIDs
//
// then a type-specific header, then data (control and bulk packets).

// Packet types ("Packet type list"; control packets from 0, data packets
// from 100).
const (
	TypeHello                          = 0
	TypeDeviceConnect                  = 1
	TypeDeviceDisconnect               = 2
	TypeReset                          = 3
	TypeInterfaceInfo                  = 4
	TypeEPInfo                         = 5
	TypeSetConfiguration               = 6
	TypeGetConfiguration               = 7
	TypeConfigurationStatus            = 8
	TypeSetAltSetting                  = 9
	TypeGetAltSetting                  = 10
	TypeAltSettingStatus               = 11
	TypeStartISOStream                 = 12
	TypeStopISOStream                  = 13
	TypeISOStreamStatus                = 14
	TypeStartInterruptReceiving        = 15
	TypeStopInterruptReceiving         = 16
	TypeInterruptReceivingStatus       = 17
	TypeAllocBulkStreams               = 18
	TypeFreeBulkStreams                = 19
	TypeBulkStreamsStatus              = 20
	TypeCancelDataPacket               = 21
	TypeFilterReject                   = 22
	TypeFilterFilter                   = 23
	TypeDeviceDisconnectAck            = 24
	TypeStartBulkReceiving             = 25
	TypeStopBulkReceiving              = 26
	TypeBulkReceivingStatus            = 27
	TypeControlPacket                  = 100
	TypeBulkPacket                     = 101
	TypeISOPacket                      = 102
	TypeInterruptPacket                = 103
	TypeBufferedBulkPacket             = 104
	typeInvalidEndpoint          uint8 = 255
)

// Status codes ("Status code list"); an unknown value is an error.
type Status uint8

const (
	StatusSuccess Status = iota
	StatusCancelled
	StatusInval
	StatusIOError
	StatusStall
	StatusTimeout
	StatusBabble
)

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("status %d", uint8(s))
}

var statusNames = [...]string{"success", "cancelled", "inval", "ioerror", "stall", "timeout", "babble"}

// Caps is a capability bitmask (the hello packet's first capability
// word; the description defines 8 bits).
type Caps uint32

const (
	CapBulkStreams Caps = 1 << iota
	CapConnectDeviceVersion
	CapFilter
	CapDeviceDisconnectAck
	CapEPInfoMaxPacketSize
	Cap64BitIDs
	Cap32BitBulkLength
	CapBulkReceiving
)

// Speed is the device speed in device_connect.
type Speed uint8

const (
	SpeedLow     Speed = 0
	SpeedFull    Speed = 1
	SpeedHigh    Speed = 2
	SpeedSuper   Speed = 3
	SpeedUnknown Speed = 255
)

// Size limits.
const (
	// MaxTransfer is the largest control or bulk data stage accepted
	// (usbfs's own default per-URB limit is 16 MiB; a LimeSDR transfer is
	// a few 4 KiB packets).
	MaxTransfer = 1 << 20
	// MaxInFlight is how many data packets the guest may have
	// unanswered at once (a LimeSDR stream keeps 16).
	MaxInFlight = 256
	// MaxPacket is the largest packet body (header.length) accepted.
	MaxPacket   = MaxTransfer + 64
	helloMin    = 64
	helloMaxCap = 32 // capability words accepted in a hello
	versionLen  = 64
	controlHdr  = 10
	bulkHdr     = 8 // + 2 with Cap32BitBulkLength
)

// Header is the packet header.
type Header struct {
	Type   uint32
	Length uint32
	ID     uint64
}

// headerSize is the header's size: 12 bytes, 16 with 64-bit ids.
func headerSize(ids64 bool) int {
	if ids64 {
		return 16
	}
	return 12
}

// Unmarshal decodes a header from b.
func (h *Header) Unmarshal(b []byte, ids64 bool) error {
	if len(b) < headerSize(ids64) {
		return fmt.Errorf("%w: header of %d bytes, need %d", ErrShort, len(b), headerSize(ids64))
	}
	h.Type = binary.LittleEndian.Uint32(b)
	h.Length = binary.LittleEndian.Uint32(b[4:])
	if ids64 {
		h.ID = binary.LittleEndian.Uint64(b[8:])
	} else {
		h.ID = uint64(binary.LittleEndian.Uint32(b[8:]))
	}
	if h.Length > MaxPacket {
		return fmt.Errorf("%w: packet type %d of %d bytes, limit %d", ErrTooLarge, h.Type, h.Length, MaxPacket)
	}
	return nil
}

// Append appends the header's encoding to b.
func (h Header) Append(b []byte, ids64 bool) []byte {
	b = binary.LittleEndian.AppendUint32(b, h.Type)
	b = binary.LittleEndian.AppendUint32(b, h.Length)
	if ids64 {
		return binary.LittleEndian.AppendUint64(b, h.ID)
	}
	return binary.LittleEndian.AppendUint32(b, uint32(h.ID))
}

// Msg is a decoded packet body.
type Msg interface {
	// Append appends the body's encoding (without the header) to b.
	Append(b []byte, c Caps) []byte
}

// Hello is usb_redir_hello: a free-form version string (NUL-terminated
// in 64 bytes) and the capability words.
type Hello struct {
	Version [versionLen]byte
	Caps    []uint32
}

// NewHello returns a hello announcing version and caps.
func NewHello(version string, c Caps) *Hello {
	h := &Hello{Caps: []uint32{uint32(c)}}
	copy(h.Version[:versionLen-1], version)
	return h
}

// VersionString is the version up to its NUL.
func (h *Hello) VersionString() string {
	for i, c := range h.Version {
		if c == 0 {
			return string(h.Version[:i])
		}
	}
	return string(h.Version[:])
}

// Capabilities is the first capability word (0 when none).
func (h *Hello) Capabilities() Caps {
	if len(h.Caps) == 0 {
		return 0
	}
	return Caps(h.Caps[0])
}

func (h *Hello) Append(b []byte, _ Caps) []byte {
	b = append(b, h.Version[:]...)
	for _, c := range h.Caps {
		b = binary.LittleEndian.AppendUint32(b, c)
	}
	return b
}

func (h *Hello) unmarshal(b []byte) error {
	if len(b) < helloMin || (len(b)-helloMin)%4 != 0 || (len(b)-helloMin)/4 > helloMaxCap {
		return fmt.Errorf("%w: hello of %d bytes (64 + 4 per capability word, at most %d words)", ErrBadLength, len(b), helloMaxCap)
	}
	copy(h.Version[:], b)
	h.Caps = make([]uint32, (len(b)-helloMin)/4)
	for i := range h.Caps {
		h.Caps[i] = binary.LittleEndian.Uint32(b[helloMin+4*i:])
	}
	return nil
}

// Control is usb_redir_control_packet: a control transfer's setup
// (endpoint, request, requesttype, value, index, length), the status of
// the reply, and the data stage (guest→host for an OUT request, in the
// reply for an IN request).
type Control struct {
	Endpoint, Request, RequestType uint8
	Status                         Status
	Value, Index, Length           uint16
	Data                           []byte
}

// In reports a device-to-host request.
func (c *Control) In() bool { return c.RequestType&0x80 != 0 }

func (c *Control) Append(b []byte, _ Caps) []byte {
	b = append(b, c.Endpoint, c.Request, c.RequestType, uint8(c.Status))
	b = binary.LittleEndian.AppendUint16(b, c.Value)
	b = binary.LittleEndian.AppendUint16(b, c.Index)
	b = binary.LittleEndian.AppendUint16(b, c.Length)
	return append(b, c.Data...)
}

// unmarshal decodes a control packet the guest sent: data only for an
// OUT request, exactly Length bytes of it.
func (c *Control) unmarshal(b []byte) error {
	if len(b) < controlHdr {
		return fmt.Errorf("%w: control packet of %d bytes, need %d", ErrBadLength, len(b), controlHdr)
	}
	c.Endpoint, c.Request, c.RequestType, c.Status = b[0], b[1], b[2], Status(b[3])
	c.Value = binary.LittleEndian.Uint16(b[4:])
	c.Index = binary.LittleEndian.Uint16(b[6:])
	c.Length = binary.LittleEndian.Uint16(b[8:])
	c.Data = b[controlHdr:]
	want := int(c.Length)
	if c.In() {
		want = 0
	}
	if len(c.Data) != want {
		return fmt.Errorf("%w: control request %#02x/%#02x with %d data bytes, want %d", ErrBadLength, c.RequestType, c.Request, len(c.Data), want)
	}
	return nil
}

// Bulk is usb_redir_bulk_packet: the endpoint, the reply's status, the
// length asked for (IN) or sent (OUT), the stream id, and the data (OUT
// from the guest, IN in the reply). Length has 32 bits only with
// Cap32BitBulkLength on both sides.
type Bulk struct {
	Endpoint uint8
	Status   Status
	Length   uint32
	StreamID uint32
	Data     []byte
}

// In reports an IN (device-to-host) endpoint.
func (p *Bulk) In() bool { return p.Endpoint&0x80 != 0 }

func (p *Bulk) Append(b []byte, c Caps) []byte {
	b = append(b, p.Endpoint, uint8(p.Status))
	b = binary.LittleEndian.AppendUint16(b, uint16(p.Length))
	b = binary.LittleEndian.AppendUint32(b, p.StreamID)
	if c&Cap32BitBulkLength != 0 {
		b = binary.LittleEndian.AppendUint16(b, uint16(p.Length>>16))
	}
	return append(b, p.Data...)
}

func (p *Bulk) unmarshal(b []byte, c Caps) error {
	n := bulkHdr
	if c&Cap32BitBulkLength != 0 {
		n += 2
	}
	if len(b) < n {
		return fmt.Errorf("%w: bulk packet of %d bytes, need %d", ErrBadLength, len(b), n)
	}
	p.Endpoint, p.Status = b[0], Status(b[1])
	p.Length = uint32(binary.LittleEndian.Uint16(b[2:]))
	p.StreamID = binary.LittleEndian.Uint32(b[4:])
	if n > bulkHdr {
		p.Length |= uint32(binary.LittleEndian.Uint16(b[8:])) << 16
	}
	p.Data = b[n:]
	if p.Length > MaxTransfer {
		return fmt.Errorf("%w: bulk transfer of %d bytes on endpoint %#02x, limit %d", ErrTooLarge, p.Length, p.Endpoint, MaxTransfer)
	}
	want := int(p.Length)
	if p.In() {
		want = 0
	}
	if len(p.Data) != want {
		return fmt.Errorf("%w: bulk packet on endpoint %#02x with %d data bytes, want %d", ErrBadLength, p.Endpoint, len(p.Data), want)
	}
	return nil
}

// Bytes is a packet body of fixed-size fields kept as raw bytes (set and
// get configuration or alternate setting, the stream and receiving
// requests this package refuses); its size is checked against the type.
type Bytes []byte

func (r Bytes) Append(b []byte, _ Caps) []byte { return append(b, r...) }

// Filter is usb_redir_filter_filter: a NUL-terminated filter string.
type Filter []byte

func (r Filter) Append(b []byte, _ Caps) []byte { return append(b, r...) }

// fixedSize is the body size of the fixed-size packets a guest sends.
var fixedSize = map[uint32]int{
	TypeReset: 0, TypeGetConfiguration: 0, TypeCancelDataPacket: 0,
	TypeFilterReject: 0, TypeDeviceDisconnectAck: 0,
	TypeSetConfiguration: 1, TypeSetAltSetting: 2, TypeGetAltSetting: 1,
	TypeStartISOStream: 3, TypeStopISOStream: 1,
	TypeStartInterruptReceiving: 1, TypeStopInterruptReceiving: 1,
	TypeAllocBulkStreams: 8, TypeFreeBulkStreams: 4,
	TypeStartBulkReceiving: 10, TypeStopBulkReceiving: 5,
}

// Decode decodes the body of a packet a usb-guest sends, of type typ,
// under the negotiated capabilities c. Control and bulk data alias body.
// Packets only a usb-host sends (device_connect, ep_info, the status
// replies, iso and interrupt data) are ErrUnexpected.
func Decode(typ uint32, body []byte, c Caps) (Msg, error) {
	if len(body) > MaxPacket {
		return nil, fmt.Errorf("%w: packet type %d of %d bytes", ErrTooLarge, typ, len(body))
	}
	switch typ {
	case TypeHello:
		h := &Hello{}
		return h, h.unmarshal(body)
	case TypeControlPacket:
		p := &Control{}
		if err := p.unmarshal(body); err != nil {
			return nil, err
		}
		return p, nil
	case TypeBulkPacket:
		p := &Bulk{}
		if err := p.unmarshal(body, c); err != nil {
			return nil, err
		}
		return p, nil
	case TypeFilterFilter:
		if len(body) == 0 || body[len(body)-1] != 0 || len(body) > 4096 {
			return nil, fmt.Errorf("%w: filter of %d bytes, want a NUL-terminated string of at most 4096", ErrBadLength, len(body))
		}
		return Filter(body), nil
	}
	n, ok := fixedSize[typ]
	if !ok {
		return nil, fmt.Errorf("%w: packet type %d", ErrUnexpected, typ)
	}
	if len(body) != n {
		return nil, fmt.Errorf("%w: packet type %d of %d bytes, want %d", ErrBadLength, typ, len(body), n)
	}
	return Bytes(body), nil
}

// EPInfo is usb_redir_ep_info: per endpoint (index 0–15 OUT, 16–31 IN)
// its transfer type (255: none), interval, interface and max packet
// size (sent only with CapEPInfoMaxPacketSize).
type EPInfo struct {
	Type, Interval, Interface [32]uint8
	MaxPacketSize             [32]uint16
}

func (e *EPInfo) Append(b []byte, c Caps) []byte {
	b = append(b, e.Type[:]...)
	b = append(b, e.Interval[:]...)
	b = append(b, e.Interface[:]...)
	if c&CapEPInfoMaxPacketSize != 0 {
		for _, m := range e.MaxPacketSize {
			b = binary.LittleEndian.AppendUint16(b, m)
		}
	}
	return b
}

// epIndex is an endpoint address's index in EPInfo.
func epIndex(addr uint8) int { return int(addr&0x80>>3) | int(addr&0x0f) }

// InterfaceInfo is usb_redir_interface_info.
type InterfaceInfo struct {
	Count                                uint32
	Interface, Class, SubClass, Protocol [32]uint8
}

func (i *InterfaceInfo) Append(b []byte, _ Caps) []byte {
	b = binary.LittleEndian.AppendUint32(b, i.Count)
	b = append(b, i.Interface[:]...)
	b = append(b, i.Class[:]...)
	b = append(b, i.SubClass[:]...)
	return append(b, i.Protocol[:]...)
}

// DeviceConnect is usb_redir_device_connect; DeviceVersion (bcdDevice)
// is sent only with CapConnectDeviceVersion.
type DeviceConnect struct {
	Speed                     Speed
	Class, SubClass, Protocol uint8
	Vendor, Product           uint16
	DeviceVersion             uint16
}

func (d *DeviceConnect) Append(b []byte, c Caps) []byte {
	b = append(b, uint8(d.Speed), d.Class, d.SubClass, d.Protocol)
	b = binary.LittleEndian.AppendUint16(b, d.Vendor)
	b = binary.LittleEndian.AppendUint16(b, d.Product)
	if c&CapConnectDeviceVersion != 0 {
		b = binary.LittleEndian.AppendUint16(b, d.DeviceVersion)
	}
	return b
}
