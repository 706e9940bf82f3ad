package interop

import (
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/gsmtap"
)

// capture listens for GSMTAP on a free loopback port and writes what
// arrives into a pcap file for tshark.
type capture struct {
	t    *testing.T
	conn *net.UDPConn
	f    *os.File
	path string
	done chan int
}

func startCapture(t *testing.T, dir, name string) *capture {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	c := &capture{t: t, conn: conn, path: filepath.Join(dir, name), done: make(chan int)}
	if c.f, err = os.Create(c.path); err != nil {
		conn.Close()
		t.Fatal(err)
	}
	pw, err := gsmtap.NewPcapWriter(c.f)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		n := 0
		buf := make([]byte, 2048)
		for {
			k, err := conn.Read(buf)
			if err != nil {
				c.done <- n
				return
			}
			h, payload, err := gsmtap.Decode(buf[:k])
			if err != nil {
				t.Errorf("a GSMTAP packet we cannot read: %v", err)
				continue
			}
			if err := pw.WritePacket(time.Unix(0, 0).Add(time.Duration(n)*time.Millisecond), &h, payload); err != nil {
				t.Error(err)
			}
			n++
		}
	}()
	return c
}

// Addr is where to send GSMTAP.
func (c *capture) Addr() string { return c.conn.LocalAddr().String() }

// Port is the listening port.
func (c *capture) Port() int { return c.conn.LocalAddr().(*net.UDPAddr).Port }

// Stop lets the last datagrams arrive, closes the file and returns its
// path and the number of packets captured.
func (c *capture) Stop() (string, int) {
	time.Sleep(200 * time.Millisecond)
	c.conn.Close()
	n := <-c.done
	if err := c.f.Close(); err != nil {
		c.t.Fatal(err)
	}
	return c.path, n
}
