// Command limeredir serves a fake LimeSDR to QEMU's usb-redir device,
// with virtual phones on its simulated air, for a person to watch the
// qemu-arm64-limesdr image run on it:
//
//	go run ./tools/limeredir -listen 127.0.0.1:4000 -phones 3 &
//	./build.sh qemu-arm64-limesdr -cmdline gsmbox.shell=1 -config lime.toml
//	./build.sh run qemu-arm64-limesdr --usbredir 127.0.0.1:4000
//
// The -config file must be the image's gsmbox.toml (the air follows its
// band, ARFCN and samples per symbol); a LimeSDR Mini needs at most
// 10 dBm and, having no GPS, [radio] clock_override = true. It prints
// each phone's registration and the board's counters every 5 s, and
// stops on SIGINT. See docs/rf-bringup.md, "The USB path through a real
// kernel".
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"github.com/gsmbox/gsmbox/tools/limeredir/limehost"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "limeredir:", err)
		os.Exit(1)
	}
}

// defaultConf is the configuration TestQEMULimeUSB gives its image.
const defaultConf = "[cell]\ntx_power_dbm = 5\nms_power_target_dbm = 0\n[radio]\nclock_override = true\n"

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("limeredir", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:4000", "TCP address QEMU's usb-redir chardev connects to")
	phones := fs.Int("phones", 3, "virtual phones on the air")
	conf := fs.String("config", "", "the image's gsmbox.toml (default: TestQEMULimeUSB's)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := []byte(defaultConf)
	if *conf != "" {
		b, err := os.ReadFile(*conf)
		if err != nil {
			return err
		}
		cfg = b
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	h, err := limehost.New(limehost.Options{Config: cfg, Phones: *phones, Seed: 1, Listen: *listen, Log: log})
	if err != nil {
		return err
	}
	defer h.Close()
	fmt.Fprintf(stdout, "fake LimeSDR (0403:601f) on usbredir at %s; QEMU: -chardev socket,id=lime,host=HOST,port=PORT -device usb-redir,chardev=lime\n", h.Addr())
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	seen := 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(5 * time.Second):
		}
		st, cs := h.Fake.Stats(), h.Clock.Stats()
		if n := h.Phones.Registered(); n != seen {
			seen = n
			fmt.Fprintf(stdout, "%d of %d phones registered\n", n, *phones)
		}
		fmt.Fprintf(stdout, "board: counter %d (%.2f s of air), %d stream starts, RX %d packets, TX %d (%d late); guest connections %d\n",
			h.Fake.Counter(), float64(h.Fake.Counter())*6/1625e3/4, cs.Starts, st.RXPackets, st.TXPackets, st.TXLate, h.Connections())
	}
}
