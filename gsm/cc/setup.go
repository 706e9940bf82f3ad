package cc

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// Setup is the Setup message (TS 24.008 §9.3.23) in both directions:
// network to MS (§9.3.23.1, Table 9.67) for a mobile-terminated call and
// MS to network (§9.3.23.2, Table 9.70) for a mobile-originated one. One
// struct holds the IEs of both tables, encoded in this order:
//
//	D-  Repeat indicator           TV 1/2, before two bearer capabilities
//	04  Bearer capability 1        TLV 3–16 (mandatory MS to network)
//	04  Bearer capability 2        TLV 3–16
//	1C  Facility                   TLV (opaque)
//	1E  Progress indicator         TLV 4 (network to MS)
//	34  Signal                     TV 2 (network to MS)
//	5C  Calling party BCD number   TLV 3–14 (network to MS)
//	5D  Calling party sub-address  TLV (opaque)
//	5E  Called party BCD number    TLV 3–43 (mandatory MS to network)
//	6D  Called party sub-address   TLV (opaque)
//	74  Redirecting party BCD no.  TLV 3–19 (network to MS)
//	7C  Low layer compatibility    TLV (opaque)
//	7D  High layer compatibility   TLV (opaque)
//	7E  User-user                  TLV (opaque)
//	7F  SS version                 TLV (MS to network, opaque)
//	A1  CLIR suppression           T (MS to network)
//	A2  CLIR invocation            T (MS to network)
//	15  CC capabilities            TLV 4 (MS to network, opaque)
//	8-  Priority                   TV 1/2 (network to MS)
//
// The decoder cannot tell the direction from the octets, so it takes every
// IE as optional; the network checks a mobile-originated Setup with
// CheckMO.
type Setup struct {
	Header
	HasRepeat      bool
	Repeat         uint8
	HasBearer      bool
	Bearer         BearerCapability
	HasBearer2     bool
	Bearer2        BearerCapability
	Facility       []byte
	HasProgress    bool
	Progress       ProgressIndicator
	HasSignal      bool
	Signal         Signal
	HasCalling     bool
	Calling        Number
	CallingSub     []byte
	HasCalled      bool
	Called         Number
	CalledSub      []byte
	HasRedirecting bool
	Redirecting    Number
	LLC            []byte
	HLC            []byte
	UserUser       []byte
	SSVersion      []byte
	CLIRSuppress   bool
	CLIRInvoke     bool
	CCCapabilities []byte
	HasPriority    bool
	Priority       uint8
}

// MsgType implements Message.
func (*Setup) MsgType() MsgType { return MsgSetup }

// CheckMO checks the IEs mandatory in a mobile-originated Setup (Table
// 9.70: bearer capability 1 and the called party BCD number); the network
// answers a failure with Release Complete cause #96 (§8.5).
func (m *Setup) CheckMO() error {
	if !m.HasBearer || !m.HasCalled {
		return fmt.Errorf("%v: %w: bearer capability %v, called number %v", m.MsgType(), ErrMandatory, m.HasBearer, m.HasCalled)
	}
	return nil
}

// MarshalSize returns the encoded length.
func (m *Setup) MarshalSize() int {
	n := headerLen
	if m.HasRepeat {
		n++
	}
	if m.HasBearer {
		n += m.Bearer.size()
	}
	if m.HasBearer2 {
		n += m.Bearer2.size()
	}
	n += opaqueSize(m.Facility)
	if m.HasProgress {
		n += 4
	}
	if m.HasSignal {
		n += 2
	}
	if m.HasCalling {
		n += m.Calling.size()
	}
	n += opaqueSize(m.CallingSub)
	if m.HasCalled {
		n += m.Called.size()
	}
	n += opaqueSize(m.CalledSub)
	if m.HasRedirecting {
		n += m.Redirecting.size()
	}
	n += opaqueSize(m.LLC) + opaqueSize(m.HLC) + opaqueSize(m.UserUser) + opaqueSize(m.SSVersion) + opaqueSize(m.CCCapabilities)
	for _, has := range [...]bool{m.CLIRSuppress, m.CLIRInvoke, m.HasPriority} {
		if has {
			n++
		}
	}
	return n
}

// MarshalTo writes the message into b and returns its length.
func (m *Setup) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, &m.Header, m.MsgType())
	if m.HasRepeat {
		e.TVHalf(ieiRepeat, m.Repeat)
	}
	if m.HasBearer {
		m.Bearer.putTLV(e)
	}
	if m.HasBearer2 {
		m.Bearer2.putTLV(e)
	}
	putOpaque(e, ieiFacility, m.Facility, facilityMax)
	if m.HasProgress {
		m.Progress.putTLV(e)
	}
	if m.HasSignal {
		e.TV(ieiSignal, []byte{byte(m.Signal)})
	}
	if m.HasCalling {
		m.Calling.putTLV(e, ieiCalling, callingMax)
	}
	putOpaque(e, ieiCallingSub, m.CallingSub, subaddrMax)
	if m.HasCalled {
		m.Called.putTLV(e, ieiCalled, calledMaxUp)
	}
	putOpaque(e, ieiCalledSub, m.CalledSub, subaddrMax)
	if m.HasRedirecting {
		m.Redirecting.putTLV(e, ieiRedirecting, redirectingMax)
	}
	putOpaque(e, ieiLLC, m.LLC, compatMax)
	putOpaque(e, ieiHLC, m.HLC, compatMax)
	putOpaque(e, ieiUserUser, m.UserUser, userUserMax)
	putOpaque(e, ieiSSVersion, m.SSVersion, ssVersionMax)
	if m.CLIRSuppress {
		e.T(ieiCLIRSupp)
	}
	if m.CLIRInvoke {
		e.T(ieiCLIRInv)
	}
	putOpaque(e, ieiCCCap, m.CCCapabilities, ccCapMax)
	if m.HasPriority {
		e.TVHalf(ieiPriority, m.Priority)
	}
	return finish(e, &m.Header, m.MsgType())
}

// Unmarshal parses the message. A second Bearer Capability IE is bearer
// capability 2; further repetitions are ignored (§8.6.3).
func (m *Setup) Unmarshal(b []byte) error {
	*m = Setup{}
	d, err := newDecoder(b, &m.Header, m.MsgType())
	if err != nil {
		return err
	}
	return decodeOptional(&d, m.MsgType(), func() (bool, error) {
		return m.decodeIE(&d)
	})
}

func (m *Setup) decodeIE(d *l3.Decoder) (bool, error) {
	iei, _ := d.Peek()
	switch {
	case d.IsHalf(ieiRepeat):
		m.Repeat, m.HasRepeat = d.TVHalf(ieiRepeat)
	case d.IsHalf(ieiPriority):
		m.Priority, m.HasPriority = d.TVHalf(ieiPriority)
	case iei == ieiBearer:
		v, ok := d.TLV(ieiBearer, 1, bearerMax)
		if !ok {
			return true, nil // the decoder holds the error
		}
		switch {
		case !m.HasBearer:
			m.HasBearer = true
			return true, m.Bearer.Unmarshal(v)
		case !m.HasBearer2:
			m.HasBearer2 = true
			return true, m.Bearer2.Unmarshal(v)
		}
		return true, nil // a third one is ignored
	case iei == ieiFacility:
		m.Facility = opaque(d, iei, 0, facilityMax)
	case iei == ieiProgress:
		m.HasProgress = decodeProgress(d, &m.Progress)
	case iei == ieiSignal:
		if v, ok := d.TV(ieiSignal, 1); ok {
			m.HasSignal, m.Signal = true, Signal(v[0])
		}
	case iei == ieiCalling:
		ok, err := decodeNumber(d, iei, callingMax, true, &m.Calling)
		m.HasCalling = ok
		return true, err
	case iei == ieiCallingSub:
		m.CallingSub = opaque(d, iei, 0, subaddrMax)
	case iei == ieiCalled:
		ok, err := decodeNumber(d, iei, calledMaxUp, false, &m.Called)
		m.HasCalled = ok
		return true, err
	case iei == ieiCalledSub:
		m.CalledSub = opaque(d, iei, 0, subaddrMax)
	case iei == ieiRedirecting:
		ok, err := decodeNumber(d, iei, redirectingMax, true, &m.Redirecting)
		m.HasRedirecting = ok
		return true, err
	case iei == ieiLLC:
		m.LLC = opaque(d, iei, 0, compatMax)
	case iei == ieiHLC:
		m.HLC = opaque(d, iei, 0, compatMax)
	case iei == ieiUserUser:
		m.UserUser = opaque(d, iei, 1, userUserMax)
	case iei == ieiSSVersion:
		m.SSVersion = opaque(d, iei, 0, ssVersionMax)
	case iei == ieiCLIRSupp:
		m.CLIRSuppress = d.T(iei)
	case iei == ieiCLIRInv:
		m.CLIRInvoke = d.T(iei)
	case iei == ieiCCCap:
		m.CCCapabilities = opaque(d, iei, 0, ccCapMax)
	default:
		return false, nil
	}
	return true, nil
}
