package cc

// CallProceeding is the Call Proceeding message (TS 24.008 §9.3.3, Table
// 9.56), network to MS: the network accepted a mobile-originated Setup.
//
//	D-  Repeat indicator            TV 1/2
//	04  Bearer capability 1         TLV 3–16
//	04  Bearer capability 2         TLV 3–16
//	1C  Facility                    TLV (opaque)
//	1E  Progress indicator          TLV 4
//	8-  Priority granted            TV 1/2
//	2F  Network CC capabilities     TLV 3 (opaque)
type CallProceeding struct {
	Header
	HasRepeat    bool
	Repeat       uint8
	HasBearer    bool
	Bearer       BearerCapability
	HasBearer2   bool
	Bearer2      BearerCapability
	Facility     []byte
	HasProgress  bool
	Progress     ProgressIndicator
	HasPriority  bool
	Priority     uint8
	NetworkCCCap []byte
}

const ieiNetCCCap = 0x2f

// MsgType implements Message.
func (*CallProceeding) MsgType() MsgType { return MsgCallProceeding }

// MarshalSize returns the encoded length.
func (m *CallProceeding) MarshalSize() int {
	n := headerLen + opaqueSize(m.Facility) + opaqueSize(m.NetworkCCCap)
	n += bearersSize(m.HasRepeat, m.HasBearer, &m.Bearer, m.HasBearer2, &m.Bearer2)
	if m.HasProgress {
		n += 4
	}
	if m.HasPriority {
		n++
	}
	return n
}

// MarshalTo writes the message into b and returns its length.
func (m *CallProceeding) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, &m.Header, m.MsgType())
	putBearers(e, m.HasRepeat, m.Repeat, m.HasBearer, &m.Bearer, m.HasBearer2, &m.Bearer2)
	putOpaque(e, ieiFacility, m.Facility, facilityMax)
	if m.HasProgress {
		m.Progress.putTLV(e)
	}
	if m.HasPriority {
		e.TVHalf(ieiPriority, m.Priority)
	}
	putOpaque(e, ieiNetCCCap, m.NetworkCCCap, 1)
	return finish(e, &m.Header, m.MsgType())
}

// Unmarshal parses the message.
func (m *CallProceeding) Unmarshal(b []byte) error {
	*m = CallProceeding{}
	d, err := newDecoder(b, &m.Header, m.MsgType())
	if err != nil {
		return err
	}
	bs := bearerSlots{&m.HasRepeat, &m.Repeat, &m.HasBearer, &m.Bearer, &m.HasBearer2, &m.Bearer2}
	return decodeOptional(&d, m.MsgType(), func() (bool, error) {
		if ok, err := bs.decode(&d); ok {
			return true, err
		}
		iei, _ := d.Peek()
		switch {
		case d.IsHalf(ieiPriority):
			m.Priority, m.HasPriority = d.TVHalf(ieiPriority)
		case iei == ieiFacility:
			m.Facility = opaque(&d, iei, 0, facilityMax)
		case iei == ieiProgress:
			m.HasProgress = decodeProgress(&d, &m.Progress)
		case iei == ieiNetCCCap:
			m.NetworkCCCap = opaque(&d, iei, 0, 1)
		default:
			return false, nil
		}
		return true, nil
	})
}
