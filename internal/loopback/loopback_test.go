package loopback

import (
	"errors"
	"net"
	"syscall"
	"testing"
)

// Connections to the address are refused, and no server can take its port.
func TestRefusingAddr(t *testing.T) {
	addr := RefusingAddr(t)
	for range 3 {
		_, err := net.Dial("tcp", addr)
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("dial %s: %v, want connection refused", addr, err)
		}
	}
	if l, err := net.Listen("tcp", addr); err == nil {
		_ = l.Close()
		t.Fatalf("a server could listen on %s", addr)
	}
}
