package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

// procMemory reads VmRSS and VmHWM (peak RSS), in bytes, of a process.
func procMemory(t *testing.T, pid int) (rss, hwm int64) {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(val)
		if len(f) != 2 || f[1] != "kB" {
			continue
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		switch name {
		case "VmRSS":
			rss = kb << 10
		case "VmHWM":
			hwm = kb << 10
		}
	}
	if rss == 0 || hwm == 0 {
		t.Fatalf("no VmRSS/VmHWM in /proc/%d/status", pid)
	}
	return rss, hwm
}

// TestDeclaredBodiesDoNotInflateMemory opens 50 connections that each
// declare a 32 MiB body and send 1 MB of it: the emulator must not size
// buffers from the declared length (it did: 50 x 32 MiB), so its peak RSS
// stays far below what was declared (1.6 GiB).
func TestDeclaredBodiesDoNotInflateMemory(t *testing.T) {
	const (
		conns    = 50
		declared = 32 << 20
		sent     = 1 << 20
		maxRSS   = 200 << 20
		rounds   = 6
	)
	p := start(t)
	pid := p.cmd.Process.Pid
	u, err := url.Parse(p.url)
	if err != nil {
		t.Fatal(err)
	}
	rss0, _ := procMemory(t, pid)

	chunk := bytes.Repeat([]byte("a"), sent)
	var peak int64
	// Several rounds: memory freed by one round is reused (and zeroed,
	// touching every page) by the next.
	for round := range rounds {
		conns := attack(t, u.Host, conns, declared, chunk)
		// The server reads what arrived; sample its memory for a while.
		for range 10 {
			rss, hwm := procMemory(t, pid)
			peak = max(peak, rss, hwm)
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("round %d: peak RSS %d MiB", round+1, peak>>20)
		for _, c := range conns {
			_ = c.Close()
		}
	}
	t.Logf("RSS before: %d MiB; peak with %d connections declaring %d MiB and sending %d MiB: %d MiB",
		rss0>>20, conns, declared>>20, sent>>20, peak>>20)
	if peak >= maxRSS {
		t.Errorf("peak RSS %d MiB >= %d MiB: body buffers follow the declared length", peak>>20, maxRSS>>20)
	}

	// The emulator still answers API calls while such connections stall:
	// they do not hold the in-flight body budget they declared.
	stalled := attack(t, u.Host, conns, declared, chunk)
	defer func() {
		for _, c := range stalled {
			_ = c.Close()
		}
	}()
	if _, err := client(p.url, "AKID", "secret").DescribeRepositories(context.Background(), &ecr.DescribeRepositoriesInput{}); err != nil {
		t.Errorf("DescribeRepositories while %d bodies stall: %v", conns, err)
	}
}

// attack opens n connections that each declare a body of declared bytes and
// send chunk, and returns them open.
func attack(t *testing.T, host string, n, declared int, chunk []byte) []net.Conn {
	t.Helper()
	conns := make([]net.Conn, 0, n)
	var wg sync.WaitGroup
	for range n {
		c, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Stop writing after a while should the server not read.
			_ = c.SetWriteDeadline(time.Now().Add(20 * time.Second))
			_, _ = fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-amz-json-1.1\r\n"+
				"X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.DescribeRepositories\r\n"+
				"Content-Length: %d\r\n\r\n", host, declared)
			_, _ = c.Write(chunk)
		}()
	}
	wg.Wait()
	return conns
}
