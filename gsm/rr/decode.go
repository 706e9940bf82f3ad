package rr

import "fmt"

// Message is a decoded RR message of this package.
type Message interface {
	MsgType() MsgType
}

func (*SI1) MsgType() MsgType                       { return MsgSI1 }
func (*SI2) MsgType() MsgType                       { return MsgSI2 }
func (*SI2bis) MsgType() MsgType                    { return MsgSI2bis }
func (*SI3) MsgType() MsgType                       { return MsgSI3 }
func (*SI4) MsgType() MsgType                       { return MsgSI4 }
func (m *SI5) MsgType() MsgType                     { return m.msgType() }
func (*SI6) MsgType() MsgType                       { return MsgSI6 }
func (*PagingRequest1) MsgType() MsgType            { return MsgPagingRequest1 }
func (*PagingRequest2) MsgType() MsgType            { return MsgPagingRequest2 }
func (*PagingRequest3) MsgType() MsgType            { return MsgPagingRequest3 }
func (*ImmediateAssignment) MsgType() MsgType       { return MsgImmAss }
func (*ImmediateAssignmentReject) MsgType() MsgType { return MsgImmAssReject }
func (*ChannelRelease) MsgType() MsgType            { return MsgChannelRelease }
func (*RRStatus) MsgType() MsgType                  { return MsgRRStatus }
func (*PagingResponse) MsgType() MsgType            { return MsgPagingResponse }
func (*CipheringModeCommand) MsgType() MsgType      { return MsgCipheringModeCmd }
func (*CipheringModeComplete) MsgType() MsgType     { return MsgCipheringModeCompl }
func (*ClassmarkChange) MsgType() MsgType           { return MsgClassmarkChange }
func (*AssignmentCommand) MsgType() MsgType         { return MsgAssignmentCommand }
func (*AssignmentComplete) MsgType() MsgType        { return MsgAssignmentComplete }
func (*AssignmentFailure) MsgType() MsgType         { return MsgAssignmentFailure }
func (*MeasurementReport) MsgType() MsgType         { return MsgMeasurementReport }

// DecodeCCCH decodes a 23-octet BCCH or CCCH block (pseudo length first):
// SI1–SI4, SI2bis, Paging Request Types 1–3, Immediate Assignment (Reject). Other
// RR messages (SI13, SI2ter, SI2quater, ...) give ErrUnsupported, which a mobile
// ignores; an L2 fill frame gives ErrPseudoLength.
func DecodeCCCH(block []byte) (Message, error) {
	t, err := MessageType(block)
	if err != nil {
		return nil, err
	}
	var m interface {
		Message
		Unmarshal([]byte) error
	}
	switch t {
	case MsgSI1:
		m = new(SI1)
	case MsgSI2:
		m = new(SI2)
	case MsgSI2bis:
		m = new(SI2bis)
	case MsgSI3:
		m = new(SI3)
	case MsgSI4:
		m = new(SI4)
	case MsgPagingRequest1:
		m = new(PagingRequest1)
	case MsgPagingRequest2:
		m = new(PagingRequest2)
	case MsgPagingRequest3:
		m = new(PagingRequest3)
	case MsgImmAss:
		m = new(ImmediateAssignment)
	case MsgImmAssReject:
		m = new(ImmediateAssignmentReject)
	default:
		return nil, fmt.Errorf("%w: CCCH message type %#02x", ErrUnsupported, uint8(t))
	}
	if err := m.Unmarshal(block); err != nil {
		return nil, err
	}
	return m, nil
}

// DecodeSACCH decodes the information field of a downlink SACCH UI frame
// (see ParseSACCHBlock): SI5, SI5bis or SI6.
func DecodeSACCH(info []byte) (Message, error) {
	t, err := MessageType(info)
	if err != nil {
		return nil, err
	}
	switch t {
	case MsgSI5, MsgSI5bis:
		m := new(SI5)
		return m, m.Unmarshal(info)
	case MsgSI6:
		m := new(SI6)
		return m, m.Unmarshal(info)
	}
	return nil, fmt.Errorf("%w: SACCH message type %#02x", ErrUnsupported, uint8(t))
}

// DecodeDCCH decodes an RR message received on a dedicated channel (an L3
// message from LAPDm, no pseudo length), in either direction: Channel
// Release, RR Status, Paging Response, Ciphering Mode Command/Complete,
// Classmark Change, Assignment Command/Complete/Failure and Measurement
// Report.
func DecodeDCCH(msg []byte) (Message, error) {
	if len(msg) < 2 {
		return nil, fmt.Errorf("%w: %d octets", ErrShort, len(msg))
	}
	var m interface {
		Message
		Unmarshal([]byte) error
	}
	switch MsgType(msg[1]) {
	case MsgChannelRelease:
		m = new(ChannelRelease)
	case MsgRRStatus:
		m = new(RRStatus)
	case MsgPagingResponse:
		m = new(PagingResponse)
	case MsgCipheringModeCmd:
		m = new(CipheringModeCommand)
	case MsgCipheringModeCompl:
		m = new(CipheringModeComplete)
	case MsgClassmarkChange:
		m = new(ClassmarkChange)
	case MsgClassmarkEnquiry:
		m = new(ClassmarkEnquiry)
	case MsgAssignmentCommand:
		m = new(AssignmentCommand)
	case MsgAssignmentComplete:
		m = new(AssignmentComplete)
	case MsgAssignmentFailure:
		m = new(AssignmentFailure)
	case MsgMeasurementReport:
		m = new(MeasurementReport)
	case MsgChannelModeModify:
		m = new(ChannelModeModify)
	case MsgChannelModeModifyAck:
		m = new(ChannelModeModifyAck)
	default:
		return nil, fmt.Errorf("%w: DCCH message type %#02x", ErrUnsupported, msg[1])
	}
	if err := m.Unmarshal(msg); err != nil {
		return nil, err
	}
	return m, nil
}
