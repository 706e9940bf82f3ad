package ss

import "fmt"

// ComponentType is the kind of a Facility component (TS 24.080 §3.6.2);
// its tag is 0xA0 | type (context-specific, constructed).
type ComponentType uint8

// Component types.
const (
	Invoke       ComponentType = 1
	ReturnResult ComponentType = 2
	ReturnError  ComponentType = 3
	Reject       ComponentType = 4
)

func (t ComponentType) String() string {
	switch t {
	case Invoke:
		return "Invoke"
	case ReturnResult:
		return "ReturnResult"
	case ReturnError:
		return "ReturnError"
	case Reject:
		return "Reject"
	}
	return fmt.Sprintf("ComponentType(%d)", uint8(t))
}

// Opcode is a local operation code (TS 24.080 §4.2, TS 29.002).
type Opcode uint8

// USSD operations (TS 24.090).
const (
	OpProcessUnstructuredSSRequest Opcode = 59 // MS→N, answered by ReturnResult
	OpUnstructuredSSRequest        Opcode = 60 // N→MS, answered by ReturnResult
	OpUnstructuredSSNotify         Opcode = 61 // N→MS, answered by an empty ReturnResult
)

// Error codes (TS 24.080 §4.5, local values of TS 29.002).
const (
	ErrorIllegalSubscriber   = 9
	ErrorIllegalEquipment    = 12
	ErrorCallBarred          = 13
	ErrorSystemFailure       = 34
	ErrorDataMissing         = 35
	ErrorUnexpectedDataValue = 36
	ErrorUnknownAlphabet     = 71
	ErrorUSSDBusy            = 72
)

// ProblemTag says which of the Reject problem codes (TS 24.080 §3.6.7)
// a Problem holds; its tag is 0x80 | tag.
type ProblemTag uint8

// Problem tags.
const (
	ProblemGeneral      ProblemTag = 0 // 0 unrecognized, 1 mistyped, 2 badly structured component
	ProblemInvoke       ProblemTag = 1 // 0 duplicate invoke ID, 1 unrecognized operation, 2 mistyped parameter, ...
	ProblemReturnResult ProblemTag = 2 // 0 unrecognized invoke ID, 1 unexpected, 2 mistyped parameter
	ProblemReturnError  ProblemTag = 3 // 0 unrecognized invoke ID, 1 unexpected, 2 unrecognized error, ...
)

// Problem is a Reject's problem code.
type Problem struct {
	Tag  ProblemTag
	Code uint8
}

// Component is one component of a Facility IE (TS 24.080 §3.6):
//
//	Invoke       A1 len { 02 invokeID, [80 linkedID], 02 opcode, [parameter] }
//	ReturnResult A2 len { 02 invokeID, [30 len { 02 opcode, parameter }] }
//	ReturnError  A3 len { 02 invokeID, 02 errorCode, [parameter] }
//	Reject       A4 len { 02 invokeID | 05 00, 8x problem }
//
// Param is the parameter as one raw BER element (nil when absent); use
// USSDArg/USSDRes to read and build the USSD ones.
type Component struct {
	Type       ComponentType
	InvokeID   int8
	NoInvokeID bool // Reject only: the invoke ID is NULL
	HasLinked  bool // Invoke only
	LinkedID   int8
	HasResult  bool   // ReturnResult only: the result sequence is present
	Op         Opcode // Invoke, and ReturnResult with HasResult
	ErrorCode  uint8  // ReturnError
	Problem    Problem
	Param      []byte
}

// body returns the size of the component's contents.
func (c *Component) body() int {
	n := 3 // invoke ID, or NULL (2)
	if c.NoInvokeID {
		n = 2
	}
	switch c.Type {
	case Invoke:
		if c.HasLinked {
			n += 3
		}
		n += 3 + len(c.Param)
	case ReturnResult:
		if c.HasResult {
			n += tlvSize(3 + len(c.Param))
		}
	case ReturnError:
		n += 3 + len(c.Param)
	case Reject:
		n += 3
	}
	return n
}

// MarshalSize returns the encoded size of c.
func (c *Component) MarshalSize() int { return tlvSize(c.body()) }

// AppendTo appends the encoded component to dst.
func (c *Component) AppendTo(dst []byte) ([]byte, error) {
	if c.Type < Invoke || c.Type > Reject {
		return dst, fmt.Errorf("%w: component type %d", ErrValue, c.Type)
	}
	if c.NoInvokeID && c.Type != Reject {
		return dst, fmt.Errorf("%w: only a Reject may lack an invoke ID", ErrValue)
	}
	if c.Op > 127 || c.ErrorCode > 127 || c.Problem.Tag > 3 {
		return dst, fmt.Errorf("%w: opcode %d, error %d, problem %d", ErrValue, c.Op, c.ErrorCode, c.Problem.Tag)
	}
	if c.Param != nil {
		if _, rest, err := readElement(c.Param, true); err != nil || len(rest) != 0 || c.Type == Reject || (c.Type == ReturnResult && !c.HasResult) {
			return dst, fmt.Errorf("%w: parameter is not one BER element, or not allowed here", ErrValue)
		}
	}
	dst = appendHeader(dst, 0xa0|byte(c.Type), c.body())
	if c.NoInvokeID {
		dst = append(dst, tagNull, 0)
	} else {
		dst = append(dst, tagInteger, 1, byte(c.InvokeID))
	}
	switch c.Type {
	case Invoke:
		if c.HasLinked {
			dst = append(dst, 0x80, 1, byte(c.LinkedID))
		}
		dst = append(dst, tagInteger, 1, byte(c.Op))
		dst = append(dst, c.Param...)
	case ReturnResult:
		if c.HasResult {
			dst = appendHeader(dst, tagSequence, 3+len(c.Param))
			dst = append(dst, tagInteger, 1, byte(c.Op))
			dst = append(dst, c.Param...)
		}
	case ReturnError:
		dst = append(dst, tagInteger, 1, c.ErrorCode)
		dst = append(dst, c.Param...)
	case Reject:
		dst = append(dst, 0x80|byte(c.Problem.Tag), 1, c.Problem.Code)
	}
	return dst, nil
}

// parseComponent reads one component.
func parseComponent(b []byte) (Component, []byte, error) {
	e, rest, err := readElement(b, false)
	if err != nil {
		return Component{}, nil, err
	}
	if e.tag < 0xa1 || e.tag > 0xa4 {
		return Component{}, nil, fmt.Errorf("%w: component tag %#02x", ErrBER, e.tag)
	}
	c := Component{Type: ComponentType(e.tag & 0x1f)}
	v := e.value
	next := func(what string) (element, error) {
		if len(v) == 0 {
			return element{}, fmt.Errorf("%w: %v without %s", ErrMissing, c.Type, what)
		}
		x, r, err := readElement(v, false)
		if err != nil {
			return element{}, fmt.Errorf("%v %s: %w", c.Type, what, err)
		}
		v = r
		return x, nil
	}
	id, err := next("invoke ID")
	if err != nil {
		return Component{}, nil, err
	}
	switch {
	case id.tag == tagInteger:
		if c.InvokeID, err = readInt8(id, "invoke ID"); err != nil {
			return Component{}, nil, err
		}
	case id.tag == tagNull && c.Type == Reject && len(id.value) == 0:
		c.NoInvokeID = true
	default:
		return Component{}, nil, fmt.Errorf("%w: %v invoke ID tag %#02x", ErrBER, c.Type, id.tag)
	}
	// param takes what is left as one element.
	param := func() error {
		if len(v) == 0 {
			return nil
		}
		x, r, err := readElement(v, true)
		if err != nil {
			return fmt.Errorf("%v parameter: %w", c.Type, err)
		}
		if len(r) != 0 {
			return fmt.Errorf("%w: %v has %d octets after its parameter", ErrBER, c.Type, len(r))
		}
		if x.tag&0x20 != 0 {
			if err := checkElements(x.value, 1); err != nil {
				return fmt.Errorf("%v parameter: %w", c.Type, err)
			}
		}
		c.Param, v = x.raw, nil
		return nil
	}
	opcode := func(x element) error {
		if x.tag != tagInteger {
			return fmt.Errorf("%w: %v opcode tag %#02x", ErrBER, c.Type, x.tag)
		}
		op, err := readInt8(x, "opcode")
		if err != nil || op < 0 {
			return fmt.Errorf("%w: %v opcode", ErrBER, c.Type)
		}
		c.Op = Opcode(op)
		return nil
	}
	switch c.Type {
	case Invoke:
		x, err := next("opcode")
		if err != nil {
			return Component{}, nil, err
		}
		if x.tag == 0x80 {
			c.HasLinked = true
			if c.LinkedID, err = readInt8(x, "linked ID"); err != nil {
				return Component{}, nil, err
			}
			if x, err = next("opcode"); err != nil {
				return Component{}, nil, err
			}
		}
		if err := opcode(x); err != nil {
			return Component{}, nil, err
		}
		if err := param(); err != nil {
			return Component{}, nil, err
		}
	case ReturnResult:
		if len(v) > 0 {
			x, err := next("result")
			if err != nil {
				return Component{}, nil, err
			}
			if x.tag != tagSequence || len(v) != 0 {
				return Component{}, nil, fmt.Errorf("%w: ReturnResult result tag %#02x", ErrBER, x.tag)
			}
			c.HasResult = true
			v = x.value
			op, err := next("opcode")
			if err != nil {
				return Component{}, nil, err
			}
			if err := opcode(op); err != nil {
				return Component{}, nil, err
			}
			if err := param(); err != nil {
				return Component{}, nil, err
			}
		}
	case ReturnError:
		x, err := next("error code")
		if err != nil {
			return Component{}, nil, err
		}
		code, err := readInt8(x, "error code")
		if err != nil || x.tag != tagInteger || code < 0 {
			return Component{}, nil, fmt.Errorf("%w: ReturnError error code", ErrBER)
		}
		c.ErrorCode = uint8(code)
		if err := param(); err != nil {
			return Component{}, nil, err
		}
	case Reject:
		x, err := next("problem")
		if err != nil {
			return Component{}, nil, err
		}
		if x.tag < 0x80 || x.tag > 0x83 || len(x.value) != 1 {
			return Component{}, nil, fmt.Errorf("%w: Reject problem tag %#02x", ErrBER, x.tag)
		}
		c.Problem = Problem{Tag: ProblemTag(x.tag & 3), Code: x.value[0]}
	}
	if len(v) != 0 {
		return Component{}, nil, fmt.Errorf("%w: %v has %d octets left over", ErrBER, c.Type, len(v))
	}
	return c, rest, nil
}

// Facility is the value of a Facility IE (TS 24.080 §3.6): one or more
// components.
type Facility []Component

// MarshalSize returns the value's size.
func (f Facility) MarshalSize() int {
	n := 0
	for i := range f {
		n += f[i].MarshalSize()
	}
	return n
}

// AppendTo appends the encoded components.
func (f Facility) AppendTo(dst []byte) ([]byte, error) {
	for i := range f {
		var err error
		if dst, err = f[i].AppendTo(dst); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// ParseFacility parses a Facility IE value. Params alias b.
func ParseFacility(b []byte) (Facility, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty facility", ErrMissing)
	}
	var f Facility
	for len(b) > 0 {
		c, rest, err := parseComponent(b)
		if err != nil {
			return nil, err
		}
		f = append(f, c)
		b = rest
	}
	return f, nil
}
