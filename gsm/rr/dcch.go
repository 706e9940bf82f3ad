package rr

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// The messages in this file are RR messages of a dedicated channel: bare
// L3 messages (RR header first) that gsm/lapdm carries on the SDCCH, FACCH
// or SACCH.

// dcchEncoder starts an RR message of type t in b.
func dcchEncoder(b []byte, t MsgType) l3.Encoder {
	e := l3.NewEncoder(b)
	e.Byte(byte(l3.PDRR))
	e.Byte(byte(t))
	return e
}

// dcchDecoder checks the RR header of b for type t and returns a decoder
// positioned after it.
func dcchDecoder(b []byte, t MsgType) (l3.Decoder, error) {
	if err := checkRR(b, t); err != nil {
		return l3.Decoder{}, err
	}
	return l3.NewDecoder(b[2:]), nil
}

// PagingResponse is the Paging Response message (TS 44.018 §9.1.25), the
// first message of an MS answering paging, sent in the SABM on the SDCCH:
//
//	octets 1–2    RR header, message type 0x27
//	octet 3       spare half octet (bits 8–5) | Ciphering Key Sequence
//	              Number (TS 24.008 §10.5.1.2) (bits 3–1; 7 = no key)
//	              Mobile Station Classmark 2 (TS 24.008 §10.5.1.6), LV, 3 octets
//	              Mobile Identity (TS 24.008 §10.5.1.4), LV, 1–9 octets
//	              Additional Update Parameters, TV 0xC-, half octet, optional
type PagingResponse struct {
	CKSN      uint8
	Classmark l3.Classmark2
	Identity  l3.MobileIdentity
	HasAUP    bool
	AUP       uint8 // additional update parameters (CSMO, CSMT bits)
}

// MarshalTo writes the message into b and returns its length.
func (m *PagingResponse) MarshalTo(b []byte) (int, error) {
	e := dcchEncoder(b, MsgPagingResponse)
	e.Halves(m.CKSN&7, 0)
	mark := e.BeginLV()
	m.Classmark.MarshalTo(e.Reserve(l3.Classmark2Len))
	e.EndLV(mark)
	mark = e.BeginLV()
	if _, err := m.Identity.MarshalTo(e.Reserve(m.Identity.MarshalSize())); err != nil {
		return 0, fmt.Errorf("paging response: %w", err)
	}
	e.EndLV(mark)
	if m.HasAUP {
		e.TVHalf(0xc, m.AUP)
	}
	if err := e.Err(); err != nil {
		return 0, fmt.Errorf("paging response: %w", err)
	}
	return e.Len(), nil
}

// Unmarshal parses the message; unknown optional IEs are skipped.
func (m *PagingResponse) Unmarshal(b []byte) error {
	d, err := dcchDecoder(b, MsgPagingResponse)
	if err != nil {
		return fmt.Errorf("paging response: %w", err)
	}
	*m = PagingResponse{}
	cksn, _ := d.Halves()
	m.CKSN = cksn & 7
	cm := d.LV(3, 3)
	id := d.LV(1, 9)
	if err := d.Err(); err != nil {
		return fmt.Errorf("paging response: %w", err)
	}
	if err := m.Classmark.Unmarshal(cm); err != nil {
		return fmt.Errorf("paging response: %w", err)
	}
	if err := m.Identity.Unmarshal(id); err != nil {
		return fmt.Errorf("paging response: %w", err)
	}
	for d.Err() == nil && d.Left() > 0 {
		if v, ok := d.TVHalf(0xc); ok {
			m.HasAUP, m.AUP = true, v
			continue
		}
		d.SkipIE()
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("paging response: %w", err)
	}
	return nil
}

// CipheringModeCommand is the Ciphering Mode Command (TS 44.018 §9.1.9):
//
//	octets 1–2    RR header, message type 0x35
//	octet 3       Cipher Response (§10.5.2.10) bits 8–5: CR (bit 5) asks
//	              for the IMEISV | Ciphering Mode Setting (§10.5.2.9) bits
//	              4–1: algorithm identifier (bits 4–2, A5/1 = 0 ... A5/7 = 6)
//	              and SC (bit 1, start ciphering)
type CipheringModeCommand struct {
	Start     bool  // SC: start ciphering; false means no ciphering
	Algorithm uint8 // 1..7 for A5/1..A5/7, if Start
	IMEISV    bool  // CR: the MS includes its IMEISV in the complete message
}

// CipheringModeCommandLen is the length of the encoded message.
const CipheringModeCommandLen = 3

// MarshalTo writes the message into b and returns its length.
func (m *CipheringModeCommand) MarshalTo(b []byte) (int, error) {
	if m.Start && (m.Algorithm < 1 || m.Algorithm > 7) {
		return 0, fmt.Errorf("%w: cipher algorithm A5/%d", ErrRange, m.Algorithm)
	}
	var set uint8
	if m.Start {
		set = (m.Algorithm-1)<<1 | 1
	}
	e := dcchEncoder(b, MsgCipheringModeCmd)
	e.Halves(set, bit(m.IMEISV, 0))
	if err := e.Err(); err != nil {
		return 0, fmt.Errorf("ciphering mode command: %w", err)
	}
	return e.Len(), nil
}

// Unmarshal parses the message.
func (m *CipheringModeCommand) Unmarshal(b []byte) error {
	d, err := dcchDecoder(b, MsgCipheringModeCmd)
	if err != nil {
		return fmt.Errorf("ciphering mode command: %w", err)
	}
	set, cr := d.Halves()
	if err := d.Err(); err != nil {
		return fmt.Errorf("ciphering mode command: %w", err)
	}
	*m = CipheringModeCommand{Start: set&1 != 0, IMEISV: cr&1 != 0}
	if m.Start {
		m.Algorithm = set>>1&7 + 1
		if m.Algorithm == 8 {
			return fmt.Errorf("%w: reserved cipher algorithm identifier 111", ErrRange)
		}
	}
	return nil
}

// CipheringModeComplete is the Ciphering Mode Complete (TS 44.018
// §9.1.10):
//
//	octets 1–2    RR header, message type 0x32
//	              Mobile Equipment Identity (IMEISV), TLV 0x17, optional
type CipheringModeComplete struct {
	HasIdentity bool
	Identity    l3.MobileIdentity
}

// MarshalTo writes the message into b and returns its length.
func (m *CipheringModeComplete) MarshalTo(b []byte) (int, error) {
	e := dcchEncoder(b, MsgCipheringModeCompl)
	if m.HasIdentity {
		e.Byte(ieiMobileIdentity2)
		mark := e.BeginLV()
		if _, err := m.Identity.MarshalTo(e.Reserve(m.Identity.MarshalSize())); err != nil {
			return 0, fmt.Errorf("ciphering mode complete: %w", err)
		}
		e.EndLV(mark)
	}
	if err := e.Err(); err != nil {
		return 0, fmt.Errorf("ciphering mode complete: %w", err)
	}
	return e.Len(), nil
}

// Unmarshal parses the message.
func (m *CipheringModeComplete) Unmarshal(b []byte) error {
	d, err := dcchDecoder(b, MsgCipheringModeCompl)
	if err != nil {
		return fmt.Errorf("ciphering mode complete: %w", err)
	}
	*m = CipheringModeComplete{}
	for d.Err() == nil && d.Left() > 0 {
		if v, ok := d.TLV(ieiMobileIdentity2, 1, 9); ok {
			if err := m.Identity.Unmarshal(v); err != nil {
				return fmt.Errorf("ciphering mode complete: %w", err)
			}
			m.HasIdentity = true
			continue
		}
		d.SkipIE()
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("ciphering mode complete: %w", err)
	}
	return nil
}

// ClassmarkChange is the Classmark Change message (TS 44.018 §9.1.11):
//
//	octets 1–2    RR header, message type 0x16
//	              Mobile Station Classmark 2, LV, 3 octets
//	              Mobile Station Classmark 3, TLV 0x20, 1–32 octets, optional
//
// Classmark3 keeps the raw value; decode it with l3.Classmark3.
type ClassmarkChange struct {
	Classmark  l3.Classmark2
	Classmark3 []byte
}

const ieiClassmark3 = 0x20

// MarshalTo writes the message into b and returns its length.
func (m *ClassmarkChange) MarshalTo(b []byte) (int, error) {
	e := dcchEncoder(b, MsgClassmarkChange)
	mark := e.BeginLV()
	m.Classmark.MarshalTo(e.Reserve(l3.Classmark2Len))
	e.EndLV(mark)
	if len(m.Classmark3) > 32 {
		return 0, fmt.Errorf("%w: classmark 3 of %d octets", ErrRange, len(m.Classmark3))
	}
	if m.Classmark3 != nil {
		e.TLV(ieiClassmark3, m.Classmark3)
	}
	if err := e.Err(); err != nil {
		return 0, fmt.Errorf("classmark change: %w", err)
	}
	return e.Len(), nil
}

// Unmarshal parses the message.
func (m *ClassmarkChange) Unmarshal(b []byte) error {
	d, err := dcchDecoder(b, MsgClassmarkChange)
	if err != nil {
		return fmt.Errorf("classmark change: %w", err)
	}
	*m = ClassmarkChange{}
	cm := d.LV(3, 3)
	if err := d.Err(); err != nil {
		return fmt.Errorf("classmark change: %w", err)
	}
	if err := m.Classmark.Unmarshal(cm); err != nil {
		return fmt.Errorf("classmark change: %w", err)
	}
	for d.Err() == nil && d.Left() > 0 {
		if v, ok := d.TLV(ieiClassmark3, 0, 32); ok {
			m.Classmark3 = append([]byte{}, v...)
			continue
		}
		d.SkipIE()
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("classmark change: %w", err)
	}
	return nil
}
