package tp

import "fmt"

// DCS is a TP-Data-Coding-Scheme octet (TS 23.040 §9.2.3.10, coded as
// TS 23.038 §4). TPDUs carry it as received; Info interprets it.
type DCS uint8

// Alphabet is the character set of the user data (TS 23.038 §4).
type Alphabet uint8

// Alphabets.
const (
	GSM7  Alphabet = 0 // the GSM 7-bit default alphabet, packed
	Data8 Alphabet = 1 // 8-bit data
	UCS2  Alphabet = 2 // UCS2 (UTF-16BE with surrogates, as phones send)
)

func (a Alphabet) String() string {
	switch a {
	case GSM7:
		return "GSM 7-bit"
	case Data8:
		return "8-bit"
	case UCS2:
		return "UCS2"
	}
	return fmt.Sprintf("Alphabet(%d)", uint8(a))
}

// Class is a message class (TS 23.038 §4): NoClass, or 0 (flash, shown
// at once), 1 (ME specific), 2 (SIM specific), 3 (TE specific).
type Class int8

// NoClass marks a DCS without a message class.
const NoClass Class = -1

// Group is a coding group of TS 23.038 §4 (the DCS's bits 8–5, folded).
type Group uint8

// Coding groups.
const (
	GroupGeneral      Group = iota // 00xx: general data coding
	GroupAutoDelete                // 01xx: message marked for automatic deletion
	GroupMWIDiscard                // 1100: message waiting indication, discard message
	GroupMWIStore                  // 1101: message waiting indication, store message (GSM 7-bit)
	GroupMWIStoreUCS2              // 1110: message waiting indication, store message (UCS2)
	GroupDataClass                 // 1111: data coding / message class
)

// MWIType is the kind of waiting message an indication is about.
type MWIType uint8

// Message waiting indication types (TS 23.038 §4, bits 2–1).
const (
	MWIVoicemail MWIType = 0
	MWIFax       MWIType = 1
	MWIEmail     MWIType = 2
	MWIOther     MWIType = 3
)

// DCSInfo is the meaning of a DCS.
type DCSInfo struct {
	Group      Group
	Alphabet   Alphabet
	Class      Class
	Compressed bool    // TS 23.042 compression (general and auto-delete groups)
	MWIActive  bool    // MWI groups: set (true) or clear the indication
	MWIType    MWIType // MWI groups
}

// Info decodes d. The reserved coding groups 1000–1011, the reserved
// alphabet 11 and the reserved bits of groups 1100–1111 give ErrReserved.
// In the general groups, bits 2–1 hold a class only when bit 5 is set; a
// class-less DCS with those bits non-zero is accepted and means no class.
func (d DCS) Info() (DCSInfo, error) {
	v := uint8(d)
	switch {
	case v>>6 <= 1:
		i := DCSInfo{Group: GroupGeneral, Class: NoClass, Compressed: v&0x20 != 0, Alphabet: Alphabet(v >> 2 & 3)}
		if v>>6 == 1 {
			i.Group = GroupAutoDelete
		}
		if i.Alphabet == 3 {
			return DCSInfo{}, fmt.Errorf("%w: %#02x: alphabet 11", ErrReserved, v)
		}
		if v&0x10 != 0 {
			i.Class = Class(v & 3)
		}
		return i, nil
	case v>>4 >= 0xc && v>>4 <= 0xe:
		if v&4 != 0 {
			return DCSInfo{}, fmt.Errorf("%w: %#02x: bit 3 of a message waiting group", ErrReserved, v)
		}
		i := DCSInfo{Group: GroupMWIDiscard + Group(v>>4-0xc), Class: NoClass, MWIActive: v&8 != 0, MWIType: MWIType(v & 3)}
		if i.Group == GroupMWIStoreUCS2 {
			i.Alphabet = UCS2
		}
		return i, nil
	case v>>4 == 0xf:
		if v&8 != 0 {
			return DCSInfo{}, fmt.Errorf("%w: %#02x: bit 4 of group 1111", ErrReserved, v)
		}
		return DCSInfo{Group: GroupDataClass, Alphabet: Alphabet(v >> 2 & 1), Class: Class(v & 3)}, nil
	}
	return DCSInfo{}, fmt.Errorf("%w: %#02x: coding group %04b", ErrReserved, v, v>>4)
}

// Alphabet returns the alphabet of d, or an error for a reserved or
// compressed coding.
func (d DCS) Alphabet() (Alphabet, error) {
	i, err := d.Info()
	if err != nil {
		return 0, err
	}
	if i.Compressed {
		return 0, fmt.Errorf("%w: compressed user data (DCS %#02x)", ErrUnsupported, uint8(d))
	}
	return i.Alphabet, nil
}

// MakeDCS encodes i in its canonical octet: the general group for a
// class-less or UCS2 message with a class, group 1111 never (the general
// group says the same), and the MWI groups as given.
func MakeDCS(i DCSInfo) (DCS, error) {
	if i.Alphabet > UCS2 || i.Class < NoClass || i.Class > 3 || i.MWIType > 3 {
		return 0, fmt.Errorf("%w: DCS %+v", ErrValue, i)
	}
	switch i.Group {
	case GroupGeneral, GroupAutoDelete, GroupDataClass:
		v := uint8(i.Alphabet) << 2
		if i.Group == GroupAutoDelete {
			v |= 0x40
		}
		if i.Compressed {
			v |= 0x20
		}
		if i.Class != NoClass {
			v |= 0x10 | uint8(i.Class)
		}
		if i.Group == GroupDataClass {
			if i.Compressed || i.Alphabet == UCS2 || i.Class == NoClass {
				return 0, fmt.Errorf("%w: group 1111 holds GSM 7-bit or 8-bit with a class", ErrValue)
			}
			v = 0xf0 | uint8(i.Alphabet)<<2 | uint8(i.Class)
		}
		return DCS(v), nil
	case GroupMWIDiscard, GroupMWIStore, GroupMWIStoreUCS2:
		want := GSM7
		if i.Group == GroupMWIStoreUCS2 {
			want = UCS2
		}
		if i.Alphabet != want || i.Class != NoClass || i.Compressed {
			return 0, fmt.Errorf("%w: message waiting group %d with %v", ErrValue, i.Group, i.Alphabet)
		}
		v := 0xc0 + uint8(i.Group-GroupMWIDiscard)<<4 | uint8(i.MWIType)
		if i.MWIActive {
			v |= 8
		}
		return DCS(v), nil
	}
	return 0, fmt.Errorf("%w: coding group %d", ErrValue, i.Group)
}
