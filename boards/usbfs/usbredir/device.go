package usbredir

import (
	"context"
	"encoding/binary"
	"fmt"
	"unicode/utf16"
)

// Device describes the exported device: one configuration (value 1)
// whose interfaces each have one alternate setting, as a LimeSDR's FT601
// has. The descriptors follow USB 2.0 §9.6.
type Device struct {
	Speed Speed // SpeedHigh for a USB 2.0 high-speed device
	// USB is bcdUSB (default 0x0200).
	USB                       uint16
	Class, SubClass, Protocol uint8
	// MaxPacket0 is endpoint 0's max packet size (default 64).
	MaxPacket0                        uint8
	Vendor, Product, DeviceVersion    uint16
	Manufacturer, ProductName, Serial string
	// MaxPowerMA is the configuration's bus power draw.
	MaxPowerMA int
	Interfaces []Interface
}

// Interface is one interface of the configuration.
type Interface struct {
	Number                    uint8
	Class, SubClass, Protocol uint8
	Endpoints                 []Endpoint
}

// Endpoint is one endpoint: its address (bit 7 set: IN), transfer type
// (2 bulk, 3 interrupt), max packet size and polling interval.
type Endpoint struct {
	Address   uint8
	Type      uint8
	MaxPacket uint16
	Interval  uint8
}

// Transfer types (USB 2.0 Table 9-13, bmAttributes bits 1..0).
const (
	XferControl   = 0
	XferISO       = 1
	XferBulk      = 2
	XferInterrupt = 3
)

// Setup is a control request's setup stage (USB 2.0 §9.3).
type Setup struct {
	RequestType, Request uint8
	Value, Index, Length uint16
}

// In reports a device-to-host request.
func (s Setup) In() bool { return s.RequestType&0x80 != 0 }

// Handler serves the exported device's transfers. The Server calls
// Control from its endpoint-0 worker and Bulk from one worker per
// endpoint, so the calls of one endpoint never overlap and complete in
// the guest's order; calls on different endpoints run concurrently.
type Handler interface {
	// Control answers a control request the Server does not answer from
	// the descriptors (class and vendor requests, standard requests to an
	// interface or endpoint other than GET_STATUS and the halt feature).
	// For an IN request it returns the data (at most s.Length bytes); for
	// an OUT request data holds the data stage. ErrStall stalls it.
	Control(s Setup, data []byte) ([]byte, error)
	// Bulk runs one bulk transfer on endpoint ep: for an OUT endpoint buf
	// holds the data and n is how much the device took; for an IN
	// endpoint the device fills buf (n ≤ len(buf), a short packet ends
	// the transfer). It may block until the device has data; ctx ends
	// when the guest cancels the transfer or the connection closes, and
	// then Bulk returns ctx's error. ErrStall stalls the endpoint,
	// ErrTimeout reports a timeout; any other error is an I/O error.
	Bulk(ctx context.Context, ep uint8, buf []byte) (n int, err error)
	// Reset is the guest resetting the device (a port reset).
	Reset()
}

// Standard requests and descriptor types (USB 2.0 Tables 9-4 and 9-5).
const (
	reqGetStatus     = 0x00
	reqClearFeature  = 0x01
	reqSetFeature    = 0x03
	reqSetAddress    = 0x05
	reqGetDescriptor = 0x06
	reqGetConfig     = 0x08
	reqSetConfig     = 0x09
	reqGetInterface  = 0x0A
	reqSetInterface  = 0x0B

	descDevice    = 1
	descConfig    = 2
	descString    = 3
	descInterface = 4
	descEndpoint  = 5

	langEnUS = 0x0409
)

// Validate checks the description: endpoint addresses unique and not 0,
// at most 32 interfaces, strings that fit a descriptor.
func (d *Device) Validate() error {
	if len(d.Interfaces) == 0 || len(d.Interfaces) > 32 {
		return fmt.Errorf("usbredir: %d interfaces, want 1..32", len(d.Interfaces))
	}
	seen := map[uint8]bool{}
	for _, it := range d.Interfaces {
		for _, e := range it.Endpoints {
			if e.Address&0x0f == 0 || e.Address&0x70 != 0 || seen[e.Address] {
				return fmt.Errorf("usbredir: interface %d: endpoint address %#02x invalid or repeated", it.Number, e.Address)
			}
			if e.Type == XferControl || e.Type > XferInterrupt {
				return fmt.Errorf("usbredir: endpoint %#02x: transfer type %d", e.Address, e.Type)
			}
			seen[e.Address] = true
		}
	}
	for _, s := range []string{d.Manufacturer, d.ProductName, d.Serial} {
		if len(utf16.Encode([]rune(s))) > 126 {
			return fmt.Errorf("usbredir: string %q longer than a descriptor holds", s)
		}
	}
	return nil
}

func (d *Device) usb() uint16 {
	if d.USB == 0 {
		return 0x0200
	}
	return d.USB
}

func (d *Device) maxPacket0() uint8 {
	if d.MaxPacket0 == 0 {
		return 64
	}
	return d.MaxPacket0
}

// strIndex gives the string descriptor indices: 1 manufacturer, 2
// product, 3 serial, 0 for an empty string.
func strIndex(s string, i uint8) uint8 {
	if s == "" {
		return 0
	}
	return i
}

// DeviceDescriptor is the 18-byte device descriptor (USB 2.0 Table 9-8).
func (d *Device) DeviceDescriptor() []byte {
	b := []byte{18, descDevice}
	b = binary.LittleEndian.AppendUint16(b, d.usb())
	b = append(b, d.Class, d.SubClass, d.Protocol, d.maxPacket0())
	b = binary.LittleEndian.AppendUint16(b, d.Vendor)
	b = binary.LittleEndian.AppendUint16(b, d.Product)
	b = binary.LittleEndian.AppendUint16(b, d.DeviceVersion)
	return append(b, strIndex(d.Manufacturer, 1), strIndex(d.ProductName, 2), strIndex(d.Serial, 3), 1)
}

// ConfigDescriptor is configuration 1 with its interface and endpoint
// descriptors (USB 2.0 Tables 9-10, 9-12, 9-13).
func (d *Device) ConfigDescriptor() []byte {
	b := []byte{9, descConfig, 0, 0, uint8(len(d.Interfaces)), 1, 0, 0x80, uint8(min(d.MaxPowerMA/2, 250))}
	for _, it := range d.Interfaces {
		b = append(b, 9, descInterface, it.Number, 0, uint8(len(it.Endpoints)), it.Class, it.SubClass, it.Protocol, 0)
		for _, e := range it.Endpoints {
			b = append(b, 7, descEndpoint, e.Address, e.Type)
			b = binary.LittleEndian.AppendUint16(b, e.MaxPacket)
			b = append(b, e.Interval)
		}
	}
	binary.LittleEndian.PutUint16(b[2:], uint16(len(b)))
	return b
}

// StringDescriptor is string i (0: the language list, en-US only), or
// false for an index the device does not have.
func (d *Device) StringDescriptor(i uint8) ([]byte, bool) {
	if i == 0 {
		return []byte{4, descString, langEnUS & 0xff, langEnUS >> 8}, true
	}
	var s string
	switch i {
	case 1:
		s = d.Manufacturer
	case 2:
		s = d.ProductName
	case 3:
		s = d.Serial
	}
	if s == "" {
		return nil, false
	}
	u := utf16.Encode([]rune(s))
	b := []byte{uint8(2 + 2*len(u)), descString}
	for _, c := range u {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b, true
}

// epInfo is the ep_info of the configured device (endpoint 0 is
// control in both directions).
func (d *Device) epInfo(configured bool) *EPInfo {
	e := &EPInfo{}
	for i := range e.Type {
		e.Type[i] = typeInvalidEndpoint
	}
	e.Type[0], e.Type[16] = XferControl, XferControl
	e.MaxPacketSize[0], e.MaxPacketSize[16] = uint16(d.maxPacket0()), uint16(d.maxPacket0())
	if !configured {
		return e
	}
	for _, it := range d.Interfaces {
		for _, ep := range it.Endpoints {
			i := epIndex(ep.Address)
			e.Type[i], e.Interval[i], e.Interface[i], e.MaxPacketSize[i] = ep.Type, ep.Interval, it.Number, ep.MaxPacket
		}
	}
	return e
}

// interfaceInfo is the interface_info of the configured device.
func (d *Device) interfaceInfo(configured bool) *InterfaceInfo {
	ii := &InterfaceInfo{}
	if !configured {
		return ii
	}
	ii.Count = uint32(len(d.Interfaces))
	for i, it := range d.Interfaces {
		ii.Interface[i], ii.Class[i], ii.SubClass[i], ii.Protocol[i] = it.Number, it.Class, it.SubClass, it.Protocol
	}
	return ii
}

// endpoint finds an endpoint by address.
func (d *Device) endpoint(addr uint8) (Endpoint, bool) {
	for _, it := range d.Interfaces {
		for _, e := range it.Endpoints {
			if e.Address == addr {
				return e, true
			}
		}
	}
	return Endpoint{}, false
}
