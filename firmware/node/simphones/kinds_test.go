package simphones

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/sms/tp"
)

// Every kind of message the phones send encodes, in the parts its name
// says.
func TestSMSKinds(t *testing.T) {
	for _, k := range smsKinds {
		text := smsText(k, "<49.19>", 49)
		var parts []tp.Part
		var err error
		if k == Kind8Bit {
			parts, err = tp.EncodeData([]byte(text), tp.TextOptions{})
		} else {
			parts, err = tp.EncodeText(text, tp.TextOptions{UCS2: k == KindUCS2 || k == KindLongUCS2})
		}
		long := k == KindLongGSM7 || k == KindLongUCS2
		if err != nil || long && len(parts) < 3 || !long && k != Kind8Bit && len(parts) != 1 {
			t.Errorf("kind %s: %d parts, %v", k, len(parts), err)
		}
	}
}
