package testtool

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"
)

// WriteUDPPcap writes UDP datagrams from 10.0.0.1 to 10.0.0.2, both on
// port 40000, as a raw-IPv4 pcap (LINKTYPE_RAW = 101), one every 20 ms,
// for tshark to dissect (decode the port with "-d udp.port==40000,PROTO").
func WriteUDPPcap(t *testing.T, path string, dgrams [][]byte) {
	t.Helper()
	var b bytes.Buffer
	le := binary.LittleEndian
	hdr := make([]byte, 24)
	le.PutUint32(hdr[0:], 0xa1b2c3d4)
	le.PutUint16(hdr[4:], 2)
	le.PutUint16(hdr[6:], 4)
	le.PutUint32(hdr[16:], 65535)
	le.PutUint32(hdr[20:], 101)
	b.Write(hdr)
	for i, d := range dgrams {
		ip := make([]byte, 28, 28+len(d))
		ip[0] = 0x45
		binary.BigEndian.PutUint16(ip[2:], uint16(28+len(d)))
		ip[8], ip[9] = 64, 17 // TTL, UDP
		copy(ip[12:], []byte{10, 0, 0, 1, 10, 0, 0, 2})
		var sum uint32
		for j := 0; j < 20; j += 2 {
			sum += uint32(binary.BigEndian.Uint16(ip[j:]))
		}
		for sum > 0xffff {
			sum = sum&0xffff + sum>>16
		}
		binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
		binary.BigEndian.PutUint16(ip[20:], 40000)
		binary.BigEndian.PutUint16(ip[22:], 40000)
		binary.BigEndian.PutUint16(ip[24:], uint16(8+len(d)))
		ip = append(ip, d...)
		rec := make([]byte, 16)
		us := uint32(i) * 20000
		le.PutUint32(rec[0:], 1700000000+us/1000000)
		le.PutUint32(rec[4:], us%1000000)
		le.PutUint32(rec[8:], uint32(len(ip)))
		le.PutUint32(rec[12:], uint32(len(ip)))
		b.Write(rec)
		b.Write(ip)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
