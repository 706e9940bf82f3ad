package tp

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gsmbox/gsmbox/gsm/sms/gsm7"
)

// MaxParts is the most parts a concatenated message can have (the
// concatenation IE's count is one octet).
const MaxParts = 255

// Part is one message of an encoded text: the TP-DCS and user data to put
// in an SMS-SUBMIT or SMS-DELIVER.
type Part struct {
	DCS DCS
	UD  UserData
}

// TextOptions steers EncodeText.
type TextOptions struct {
	// Ref is the concatenation reference, used if the text needs more
	// than one part. The sender keeps it unique per recipient.
	Ref uint16
	// Wide chooses the 16-bit reference IE (0x08) over the 8-bit one
	// (0x00), which uses Ref's low octet.
	Wide bool
	// UCS2 forces UCS2 even for text the default alphabet can hold.
	UCS2 bool
	// HasClass marks the parts with message class Class (0 flash, 1 ME,
	// 2 SIM, 3 TE; TS 23.038 §4).
	HasClass bool
	Class    Class
}

// Capacity returns the characters (septets for GSM7, UTF-16 units for
// UCS2) one part holds: 160/70 alone, 153/67 with an 8-bit concatenation
// header, 152/66 with a 16-bit one (TS 23.040 §9.2.3.24.1, .8).
func Capacity(a Alphabet, concat, wide bool) int {
	hl := 0
	if concat {
		hl = 6
		if wide {
			hl = 7
		}
	}
	if a == GSM7 {
		_, hs := fill(hl)
		return MaxSeptets - hs
	}
	return (MaxUDOctets - hl) / 2
}

// EncodeText encodes text in as few parts as it takes: GSM 7-bit if every
// character is in the default alphabet or its extension table (an
// extension character counts two septets), else UCS2. Parts never split an
// escape sequence or a UTF-16 surrogate pair. An empty text is one empty
// part.
func EncodeText(text string, o TextOptions) ([]Part, error) {
	if !utf8.ValidString(text) {
		return nil, fmt.Errorf("%w: invalid UTF-8", ErrAlphabet)
	}
	a := UCS2
	if !o.UCS2 && gsm7.Encodable(text) {
		a = GSM7
	}
	info := DCSInfo{Group: GroupGeneral, Alphabet: a, Class: NoClass}
	if o.HasClass {
		info.Class = o.Class
	}
	dcs, err := MakeDCS(info)
	if err != nil {
		return nil, err
	}
	size := func(r rune) int {
		if a == GSM7 {
			return gsm7.RuneSeptets(r)
		}
		return utf16.RuneLen(r)
	}
	total := 0
	for _, r := range text {
		total += size(r)
	}
	var chunks []string
	if total <= Capacity(a, false, false) {
		chunks = []string{text}
	} else {
		limit := Capacity(a, true, o.Wide)
		start, used := 0, 0
		for i, r := range text {
			if used+size(r) > limit {
				chunks = append(chunks, text[start:i])
				start, used = i, 0
			}
			used += size(r)
		}
		chunks = append(chunks, text[start:])
		if len(chunks) > MaxParts {
			return nil, fmt.Errorf("%w: %d parts", ErrTooLong, len(chunks))
		}
	}
	parts := make([]Part, len(chunks))
	for i, c := range chunks {
		var h UDH
		if len(chunks) > 1 {
			ref := o.Ref
			if !o.Wide {
				ref &= 0xff
			}
			h = UDH{Concat{Ref: ref, Total: uint8(len(chunks)), Seq: uint8(i + 1), Wide: o.Wide}.IE()}
		}
		ud, err := EncodeUserData(a, h, c, nil)
		if err != nil {
			return nil, err
		}
		parts[i] = Part{DCS: dcs, UD: ud}
	}
	return parts, nil
}

// EncodeData splits 8-bit data into parts of at most 140 octets (134 or
// 133 with a concatenation header).
func EncodeData(data []byte, o TextOptions) ([]Part, error) {
	info := DCSInfo{Group: GroupGeneral, Alphabet: Data8, Class: NoClass}
	if o.HasClass {
		info.Class = o.Class
	}
	dcs, err := MakeDCS(info)
	if err != nil {
		return nil, err
	}
	var chunks [][]byte
	if len(data) <= MaxUDOctets {
		chunks = [][]byte{data}
	} else {
		limit := MaxUDOctets - 6
		if o.Wide {
			limit--
		}
		for len(data) > 0 {
			n := min(limit, len(data))
			chunks = append(chunks, data[:n])
			data = data[n:]
		}
		if len(chunks) > MaxParts {
			return nil, fmt.Errorf("%w: %d parts", ErrTooLong, len(chunks))
		}
	}
	parts := make([]Part, len(chunks))
	for i, c := range chunks {
		var h UDH
		if len(chunks) > 1 {
			ref := o.Ref
			if !o.Wide {
				ref &= 0xff
			}
			h = UDH{Concat{Ref: ref, Total: uint8(len(chunks)), Seq: uint8(i + 1), Wide: o.Wide}.IE()}
		}
		ud, err := EncodeUserData(Data8, h, "", c)
		if err != nil {
			return nil, err
		}
		parts[i] = Part{DCS: dcs, UD: ud}
	}
	return parts, nil
}
