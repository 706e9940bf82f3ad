package gpspps

import (
	"context"
	"errors"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

type fakeCounter struct {
	ticks []uint64
	err   error
}

func (f *fakeCounter) PPSTicks() (uint64, error) {
	if f.err != nil {
		return 0, f.err
	}
	t := f.ticks[0]
	f.ticks = f.ticks[1:]
	return t, nil
}

func TestReceiver(t *testing.T) {
	pin := &gpiotest.Pin{N: "PPS", EdgesChan: make(chan gpio.Level, 4)}
	ctr := &fakeCounter{ticks: []uint64{100, 26000100}}
	r, err := New(pin, ctr)
	if err != nil {
		t.Fatal(err)
	}
	if pin.P != gpio.PullDown {
		t.Errorf("New(): pull = %v, want PullDown", pin.P)
	}
	r.FirstWait, r.Wait = 20*time.Millisecond, 20*time.Millisecond
	pin.EdgesChan <- gpio.High
	pin.EdgesChan <- gpio.High
	var got []Event
	ctx, cancel := context.WithCancel(context.Background())
	err = r.Run(ctx, func(e Event) error {
		got = append(got, e)
		if len(got) == 3 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run() = %v, want context.Canceled", err)
	}
	want := []Event{{Ticks: 100}, {Ticks: 26000100}, {Timeout: true}}
	if len(got) != len(want) {
		t.Fatalf("Run() events = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestCounterError(t *testing.T) {
	pin := &gpiotest.Pin{N: "PPS", EdgesChan: make(chan gpio.Level, 1)}
	r, _ := New(pin, &fakeCounter{err: errors.New("bus")})
	pin.EdgesChan <- gpio.High
	if _, err := r.Next(); !errors.Is(err, ErrCounter) {
		t.Errorf("Next() = %v, want ErrCounter", err)
	}
}
