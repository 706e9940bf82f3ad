package trunk

import (
	"errors"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// sipgo's Client.Do returns neither a response nor an error when the
// transaction is terminated under it (the transport closing as the trunk
// stops): final makes that an error, so the keepalive and the
// registration never read a response that is not there (the nil
// dereference once seen in registerOnce during shutdown).
func TestFinalNeverNil(t *testing.T) {
	if res, err := final(nil, nil); res != nil || !errors.Is(err, errNoFinal) {
		t.Errorf("final(nil, nil) = %v, %v; want nil, errNoFinal", res, err)
	}
	boom := errors.New("boom")
	if _, err := final(nil, boom); err != boom {
		t.Errorf("final(nil, err) lost the error: %v", err)
	}
	r := sip.NewResponse(200, "OK")
	if res, err := final(r, nil); res != r || err != nil {
		t.Errorf("final(res, nil) = %v, %v", res, err)
	}
}
