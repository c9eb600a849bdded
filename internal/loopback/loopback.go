// Package loopback gives tests loopback addresses with a known behaviour.
package loopback

import (
	"fmt"
	"syscall"
	"testing"
)

// RefusingAddr returns a 127.0.0.1 address whose connections are refused
// for the whole test: the port is bound by a socket that never listens.
// Closing a listener instead leaves the port free for another test's server
// to take before the connection is tried (an emulator running in parallel
// then answers instead of refusing).
func RefusingAddr(tb testing.TB) string {
	tb.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		tb.Fatalf("socket: %v", err)
	}
	tb.Cleanup(func() { _ = syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		tb.Fatalf("bind: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		tb.Fatalf("getsockname: %v", err)
	}
	in4, ok := sa.(*syscall.SockaddrInet4)
	if !ok {
		tb.Fatalf("getsockname: unexpected address %T", sa)
	}
	return fmt.Sprintf("127.0.0.1:%d", in4.Port)
}
