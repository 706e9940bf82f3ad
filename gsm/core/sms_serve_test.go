package core

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/ms/mstest"
)

// TestSMSServe runs the SMSC as on a board: the core on its own
// goroutine (Serve, the real clock), the store's writes and the lookups on
// the SMSC worker, the cell and the phones on the test's goroutine. Two
// phones exchange messages both ways; everything arrives once.
func TestSMSServe(t *testing.T) {
	smsAsync = true
	w := newSMSWorld(t, SMSConfig{Guard: 300 * time.Millisecond})
	smsAsync = false
	for i := range 2 {
		w.addSMSPhone(sim(fmt.Sprintf("0010100000%05d", 3001+i), crypto.COMP128v1), 17+300*i)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.net.Serve(ctx)
	}()
	defer func() { cancel(); wg.Wait() }()
	frame := func() {
		w.cell.Frame(w.fn, &w.dl)
		for i, p := range w.phones {
			local := w.fn.Add(-w.origin[i])
			mstest.Downlink(p, local, &w.dl)
			p.Frame(local, &w.ul)
			mstest.UplinkFrom(p, w.fn, &w.ul, -70, 0, w.cell.Receive)
		}
		w.fn = w.fn.Add(1)
		// A little real time per frame, so the core keeps up.
		if w.fn%8 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	deadline := time.Now().Add(40 * time.Second)
	for !w.registered() {
		if time.Now().After(deadline) {
			t.Fatal("phones did not register")
		}
		frame()
	}
	num := func(i int) string {
		s, err := w.reg.Get(w.phones[i].SIM().IMSI)
		if err != nil {
			t.Fatal(err)
		}
		return s.MSISDN
	}
	w.sms[0].Send(num(1), "over the worker", false, 1)
	w.sms[1].Send(num(0), "and back: привет", false, 2)
	for len(w.sms[0].Inbox) < 1 || len(w.sms[1].Inbox) < 1 || w.net.SMSStats().Queued != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("not delivered: %d %d, %+v", len(w.sms[0].Inbox), len(w.sms[1].Inbox), w.net.SMSStats())
		}
		frame()
	}
	if w.sms[1].Inbox[0].Text != "over the worker" || w.sms[0].Inbox[0].Text != "and back: привет" {
		t.Errorf("inboxes %+v %+v", w.sms[0].Inbox, w.sms[1].Inbox)
	}
	if st := w.net.SMSStats(); st.Accepted != 2 || st.Delivered != 2 || st.StoreFailures != 0 {
		t.Errorf("stats %+v", st)
	}
}
