package mm

import "fmt"

// IEIs of MM Information.
const (
	ieiFullName      = 0x43 // Full name for network, TLV
	ieiShortName     = 0x45 // Short name for network, TLV
	ieiLocalTimeZone = 0x46 // Local time zone, TV 2
	ieiUniversalTime = 0x47 // Universal time and local time zone, TV 8
	ieiDST           = 0x49 // Network daylight saving time, TLV 3
)

// MMInformation is the MM Information message (TS 24.008 §9.2.15a), network
// to MS, sent after a location update so that the phone shows the network
// name and sets its clock:
//
//	  8   7   6   5   4   3   2   1
//	| skip indicator|  PD = 0101    |  octet 1
//	| 0   0 |  message type 0x32    |  octet 2
//	| 0x43 Full name for network    |  optional, TLV (§10.5.3.5a)
//	| 0x45 Short name for network   |  optional, TLV (§10.5.3.5a)
//	| 0x46 Local time zone          |  optional, TV 2 (§10.5.3.8)
//	| 0x47 Universal time and zone  |  optional, TV 8 (§10.5.3.9)
//	| 0x49 Network daylight saving  |  optional, TLV 3 (§10.5.3.12)
//
// The LSA identity IE (0x48) is skipped on decode.
type MMInformation struct {
	HasFullName      bool
	FullName         NetworkName
	HasShortName     bool
	ShortName        NetworkName
	HasTimeZone      bool
	TimeZone         TimeZone
	HasUniversalTime bool
	UniversalTime    UniversalTime
	HasDST           bool
	DST              uint8 // 0: no adjustment, 1: +1 hour, 2: +2 hours
}

// MsgType implements Message.
func (*MMInformation) MsgType() MsgType { return MsgMMInformation }

// MarshalSize returns the encoded length.
func (m *MMInformation) MarshalSize() int {
	n := headerLen
	if m.HasFullName {
		n += 2 + m.FullName.MarshalSize()
	}
	if m.HasShortName {
		n += 2 + m.ShortName.MarshalSize()
	}
	if m.HasTimeZone {
		n += 2
	}
	if m.HasUniversalTime {
		n += 1 + universalTimeLen
	}
	if m.HasDST {
		n += 3
	}
	return n
}

// MarshalTo writes the message into b and returns its length.
func (m *MMInformation) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, m.MsgType(), 0)
	for _, nm := range [...]struct {
		has  bool
		iei  byte
		name *NetworkName
	}{{m.HasFullName, ieiFullName, &m.FullName}, {m.HasShortName, ieiShortName, &m.ShortName}} {
		if !nm.has {
			continue
		}
		size := nm.name.MarshalSize()
		e.Byte(nm.iei)
		mark := e.BeginLV()
		if buf := e.Reserve(size); buf != nil {
			if _, err := nm.name.MarshalTo(buf); err != nil {
				return 0, fmt.Errorf("%v: %w", m.MsgType(), err)
			}
		}
		e.EndLV(mark)
	}
	if m.HasTimeZone {
		z, err := m.TimeZone.byte()
		if err != nil {
			return 0, fmt.Errorf("%v: %w", m.MsgType(), err)
		}
		e.Byte(ieiLocalTimeZone)
		e.Byte(z)
	}
	if m.HasUniversalTime {
		e.Byte(ieiUniversalTime)
		if buf := e.Reserve(universalTimeLen); buf != nil {
			if err := m.UniversalTime.marshalTo(buf); err != nil {
				return 0, fmt.Errorf("%v: %w", m.MsgType(), err)
			}
		}
	}
	if m.HasDST {
		if m.DST > 2 {
			return 0, fmt.Errorf("%v: %w: daylight saving %d", m.MsgType(), ErrValue, m.DST)
		}
		e.TLV(ieiDST, []byte{m.DST})
	}
	return finish(&e, m.MsgType())
}

// Unmarshal parses the message.
func (m *MMInformation) Unmarshal(b []byte) error {
	d, _, err := newDecoder(b, m.MsgType())
	if err != nil {
		return err
	}
	*m = MMInformation{}
	for d.Err() == nil && d.Left() > 0 {
		switch {
		case d.Is(ieiFullName):
			if v, ok := d.TLV(ieiFullName, 1, 255); ok {
				if err := m.FullName.Unmarshal(v); err != nil {
					return fmt.Errorf("%v: full name: %w", m.MsgType(), err)
				}
				m.HasFullName = true
			}
		case d.Is(ieiShortName):
			if v, ok := d.TLV(ieiShortName, 1, 255); ok {
				if err := m.ShortName.Unmarshal(v); err != nil {
					return fmt.Errorf("%v: short name: %w", m.MsgType(), err)
				}
				m.HasShortName = true
			}
		case d.Is(ieiLocalTimeZone):
			if v, ok := d.TV(ieiLocalTimeZone, 1); ok {
				if m.TimeZone, err = parseTimeZone(v[0]); err != nil {
					return fmt.Errorf("%v: %w", m.MsgType(), err)
				}
				m.HasTimeZone = true
			}
		case d.Is(ieiUniversalTime):
			if v, ok := d.TV(ieiUniversalTime, universalTimeLen); ok {
				if err := m.UniversalTime.unmarshal(v); err != nil {
					return fmt.Errorf("%v: %w", m.MsgType(), err)
				}
				m.HasUniversalTime = true
			}
		case d.Is(ieiDST):
			if v, ok := d.TLV(ieiDST, 1, 1); ok {
				m.DST, m.HasDST = v[0]&3, true
				if m.DST == 3 {
					return fmt.Errorf("%v: %w: reserved daylight saving value 3", m.MsgType(), ErrValue)
				}
			}
		default:
			d.SkipIE()
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("%v: %w", m.MsgType(), err)
	}
	return nil
}
