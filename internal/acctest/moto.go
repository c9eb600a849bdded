package acctest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// motoStartTimeout bounds the wait for moto_server to answer (it is usually
// up in under half a second).
const motoStartTimeout = 30 * time.Second

// startMoto starts one moto_server for the test binary on a free loopback
// port and sets ECR_ACC_MOTO_URL. If ECR_ACC_MOTO_URL is already set, that
// server is used instead (after checking that it answers). A missing
// moto_server is an error, never a skip.
func startMoto() (stop func(), err error) {
	if url := os.Getenv("ECR_ACC_MOTO_URL"); url != "" {
		if err := waitMoto(url, nil, motoStartTimeout); err != nil {
			return nil, fmt.Errorf("ECR_ACC_MOTO_URL=%s: %w", url, err)
		}
		return func() {}, nil
	}
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, fmt.Errorf("moto_server is not on PATH (install it with pip install 'moto[server]'): %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	var out syncBuffer
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = &out, &out
	// Own process group, and killed with the test binary even when
	// terraform-plugin-testing calls os.Exit before deferred cleanup runs.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting moto_server: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop = func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	}
	if err := waitMoto(url, exited, motoStartTimeout); err != nil {
		stop()
		return nil, fmt.Errorf("%w\nmoto_server output:\n%s", err, out.String())
	}
	if err := os.Setenv("ECR_ACC_MOTO_URL", url); err != nil {
		stop()
		return nil, err
	}
	return stop, nil
}

// waitMoto polls /moto-api/data.json until it answers 200.
func waitMoto(url string, exited <-chan struct{}, timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	for {
		resp, err := client.Get(url + "/moto-api/data.json")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		select {
		case <-exited:
			return errors.New("moto_server exited before it answered")
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("moto_server did not answer on %s within %s: %w", url, timeout, err)
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer func() { _ = l.Close() }()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("finding a free port: unexpected address %v", l.Addr())
	}
	return addr.Port, nil
}

// syncBuffer collects moto_server's output for error messages.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 64<<10 { // keep the start; moto logs every request
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
