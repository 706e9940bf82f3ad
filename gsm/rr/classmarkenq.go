package rr

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// MsgClassmarkEnquiry is the message type of Classmark Enquiry (TS
// 44.018 §10.4, Table 10.4.1).
const MsgClassmarkEnquiry MsgType = 0x13

// ClassmarkEnquiry is the Classmark Enquiry message (TS 44.018 §9.1.12),
// by which the network asks for the MS's Classmark Change (§3.4.11):
//
//	octets 1–2    RR header, message type 0x13
//	octet 3       Classmark Enquiry Mask (§10.5.2.7c), optional, TV 0x10:
//	              not sent, so the MS answers with Classmark Change
type ClassmarkEnquiry struct{}

// ClassmarkEnquiryLen is the length of the encoded message.
const ClassmarkEnquiryLen = 2

// MarshalTo writes the message into b and returns its length.
func (m *ClassmarkEnquiry) MarshalTo(b []byte) (int, error) {
	if len(b) < ClassmarkEnquiryLen {
		return 0, fmt.Errorf("%w: classmark enquiry needs 2 octets", ErrBuffer)
	}
	b[0], b[1] = byte(l3.PDRR), byte(MsgClassmarkEnquiry)
	return ClassmarkEnquiryLen, nil
}

// Unmarshal parses the message; optional IEs are ignored.
func (m *ClassmarkEnquiry) Unmarshal(b []byte) error {
	if err := checkRR(b, MsgClassmarkEnquiry); err != nil {
		return fmt.Errorf("classmark enquiry: %w", err)
	}
	return nil
}

// MsgType implements Message.
func (*ClassmarkEnquiry) MsgType() MsgType { return MsgClassmarkEnquiry }
