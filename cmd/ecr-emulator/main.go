// Command ecr-emulator serves the in-memory Amazon ECR emulator over HTTP:
// the ECR API at "/" and the control API (faults, call log, reset) under
// /_emulator/. Its first line on stdout is "listening on http://HOST:PORT".
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// What -data-dir holds.
const (
	storeFile = "state.db" // the state, record by record (emulator.BoltStore)
	blobsDir  = "blobs"    // uploaded layer content, one file per digest
	// legacyStateFile is where emulators before the store kept the whole
	// state; it is migrated into storeFile on the first start, then renamed
	// to legacyStateFile+".migrated".
	legacyStateFile = "state.json"
	// tokenKeyFile holds the key that signs the registry passwords of
	// authorization tokens, so that a `docker login` outlives a restart.
	tokenKeyFile = "token.key"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type config struct {
	listen, account, region, dataDir, credentials string
	transitionDelay, lifecycleInterval            time.Duration
	allowRemote                                   bool
	upstreams                                     upstreamFlag
}

// upstreamFlag collects -upstream HOST=URL.
type upstreamFlag map[string]string

func (u *upstreamFlag) String() string { return fmt.Sprint(map[string]string(*u)) }

func (u *upstreamFlag) Set(v string) error {
	host, base, ok := strings.Cut(v, "=")
	if !ok || host == "" || !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return fmt.Errorf("want HOST=http(s)://ADDRESS, got %q", v)
	}
	if *u == nil {
		*u = upstreamFlag{}
	}
	(*u)[host] = base
	return nil
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("ecr-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:4566", "address to listen on (port 0 picks a free port)")
	fs.StringVar(&c.account, "account", emulator.DefaultAccount, "account of callers whose access key id is not 12 digits")
	fs.StringVar(&c.region, "region", emulator.DefaultRegion, "region of requests without a SigV4 credential scope")
	fs.StringVar(&c.dataDir, "data-dir", "", "directory where the state is kept across restarts (default: memory only)")
	fs.StringVar(&c.credentials, "credentials", "", "verify SigV4 with these keys: a file of KEY:SECRET lines, or KEY:SECRET,KEY:SECRET")
	fs.DurationVar(&c.transitionDelay, "transition-delay", 50*time.Millisecond, "how long asynchronous work (scans, previews) stays in progress")
	fs.DurationVar(&c.lifecycleInterval, "lifecycle-interval", 0, "apply every repository's lifecycle policy this often (default: only on POST /_emulator/lifecycle/run)")
	fs.BoolVar(&c.allowRemote, "allow-remote", false, "allow a listen address that is not loopback")
	fs.Var(&c.upstreams, "upstream", "pull-through cache: fetch from URL what rules name upstream HOST for (HOST=URL, repeatable)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if c.lifecycleInterval < 0 {
		return c, fmt.Errorf("-lifecycle-interval must not be negative: %s", c.lifecycleInterval)
	}
	return c, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		_, _ = fmt.Fprintln(stderr, "ecr-emulator:", err)
		return 2
	}
	if err := serve(cfg, stdout, stderr); err != nil {
		_, _ = fmt.Fprintln(stderr, "ecr-emulator:", err)
		return 1
	}
	return 0
}

func serve(cfg config, stdout, stderr io.Writer) error {
	if err := checkListen(cfg.listen, cfg.allowRemote); err != nil {
		return err
	}
	opts := []emulator.Option{
		emulator.WithAccount(cfg.account),
		emulator.WithRegion(cfg.region),
		emulator.WithTransitionDelay(cfg.transitionDelay),
	}
	for host, base := range cfg.upstreams {
		opts = append(opts, emulator.WithUpstream(host, base))
	}
	if cfg.credentials != "" {
		creds, err := parseCredentials(cfg.credentials)
		if err != nil {
			return err
		}
		opts = append(opts, emulator.WithCredentials(creds))
	}
	if cfg.dataDir != "" {
		if err := os.MkdirAll(cfg.dataDir, 0o700); err != nil {
			return err
		}
		blobs := filepath.Join(cfg.dataDir, blobsDir)
		if err := os.MkdirAll(blobs, 0o700); err != nil {
			return err
		}
		opts = append(opts, emulator.WithBlobStore(dirBlobs{dir: blobs}))
		key, err := loadTokenKey(cfg.dataDir)
		if err != nil {
			return err
		}
		opts = append(opts, emulator.WithTokenKey(key))
	}
	emu := emulator.New(opts...)
	if cfg.dataDir != "" {
		store, err := openDataDir(emu, cfg.dataDir)
		if err != nil {
			return err
		}
		defer func() { _ = store.Close() }()
	}

	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle(emulator.ControlPrefix, emu.ControlHandler())
	mux.Handle("/", emu)
	var handler http.Handler = mux
	if !cfg.allowRemote {
		handler = loopbackHostOnly(mux)
	}
	// Request headers must arrive within ReadHeaderTimeout; the emulator
	// bounds each body's read itself (a deadline per body, see
	// internal/emulator/body.go), so no ReadTimeout, which would also cut
	// the requests a hang fault holds on purpose.
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		MaxHeaderBytes: 64 << 10}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	_, _ = fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())
	if cfg.lifecycleInterval > 0 {
		go runLifecyclePolicies(ctx, emu, cfg.lifecycleInterval, stderr)
	}

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	_, _ = fmt.Fprintln(stderr, "ecr-emulator: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		// Requests held by a hang fault do not finish by themselves.
		_ = srv.Close()
	}
	return nil
}

// openDataDir attaches the store in dir to emu: the state it holds, or, on
// the first start after an upgrade, the state.json of older emulators,
// migrated into it.
func openDataDir(emu *emulator.Emulator, dir string) (*emulator.BoltStore, error) {
	// Loading builds the whole state at once: the collector, run at its
	// usual pace, would mark the growing heap a dozen times (a third of a
	// restart's CPU with 100,000 images). Nothing is garbage yet: let it
	// run less often until the state is loaded.
	defer debug.SetGCPercent(debug.SetGCPercent(800))
	store, err := emulator.OpenBoltStore(filepath.Join(dir, storeFile))
	if err != nil {
		return nil, err
	}
	// Temporary files of blob writes a crash interrupted (the store took
	// the lock: no other emulator uses dir).
	tmps, _ := filepath.Glob(filepath.Join(dir, blobsDir, "*.tmp-*"))
	for _, t := range tmps {
		_ = os.Remove(t)
	}
	legacy := filepath.Join(dir, legacyStateFile)
	snap, err := os.ReadFile(legacy)
	switch {
	case errors.Is(err, os.ErrNotExist):
		snap = nil
	case err != nil:
		_ = store.Close()
		return nil, err
	default:
		// Restored first, so that AttachStore writes it into an empty store;
		// a store that holds a state (the rename below did not happen) wins.
		if err := emu.Restore(snap); err != nil {
			_ = store.Close()
			return nil, fmt.Errorf("%s: %w", legacy, err)
		}
	}
	if _, err := emu.AttachStore(store); err != nil {
		_ = store.Close()
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, storeFile), err)
	}
	if snap != nil {
		if err := os.Rename(legacy, legacy+".migrated"); err != nil {
			_ = store.Close()
			return nil, err
		}
	}
	return store, nil
}

// runLifecyclePolicies applies the lifecycle policies every interval until
// ctx ends, as ECR does on its own schedule.
func runLifecyclePolicies(ctx context.Context, emu *emulator.Emulator, interval time.Duration, stderr io.Writer) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := emu.RunLifecyclePolicies(); err != nil {
				_, _ = fmt.Fprintln(stderr, "ecr-emulator: lifecycle run:", err)
			}
		}
	}
}

// dirBlobs keeps uploaded layer content and the parts of uploads in
// progress in files named after their key ("sha256-<hex>",
// "upload-<id>-<n>"), each written durably before the write is
// acknowledged, so that they survive a restart with the state; the state
// file keeps only digests and sizes.
type dirBlobs struct{ dir string }

var reBlobKey = regexp.MustCompile(`^(sha256:[0-9a-f]{64}|upload:[0-9a-fA-F-]{36}:[0-9]+)$`)

func (b dirBlobs) file(key string) (string, error) {
	if !reBlobKey.MatchString(key) {
		return "", fmt.Errorf("bad blob key %q", key)
	}
	return strings.ReplaceAll(key, ":", "-"), nil
}

func (b dirBlobs) DeleteBlob(key string) error {
	name, err := b.file(key)
	if err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(b.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// Clear implements emulator.BlobStore.
func (b dirBlobs) Clear() error {
	keys, err := b.BlobKeys()
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := b.DeleteBlob(k); err != nil {
			return err
		}
	}
	return nil
}

// BlobKeys implements emulator.BlobLister: the keys of the blob files in
// the directory.
func (b dirBlobs) BlobKeys() ([]string, error) {
	entries, err := os.ReadDir(b.dir)
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, ent := range entries {
		name := ent.Name()
		key := strings.Replace(name, "-", ":", 1)
		if strings.HasPrefix(name, "upload-") {
			// upload-<uuid>-<n>: the uuid has dashes of its own.
			if i := strings.LastIndexByte(name, '-'); i > len("upload-") {
				key = "upload:" + name[len("upload-"):i] + ":" + name[i+1:]
			}
		}
		if reBlobKey.MatchString(key) {
			keys = append(keys, key)
		}
	}
	return keys, nil
}

func (b dirBlobs) PutBlob(key string, data []byte) error {
	name, err := b.file(key)
	if err != nil {
		return err
	}
	if strings.HasPrefix(key, "sha256:") {
		if _, err := os.Stat(filepath.Join(b.dir, name)); err == nil {
			return nil // content-addressed: already there
		}
	}
	return writeFileDurably(b.dir, name, data)
}

func (b dirBlobs) Blob(key string) ([]byte, bool, error) {
	name, err := b.file(key)
	if err != nil {
		return nil, false, err
	}
	data, err := os.ReadFile(filepath.Join(b.dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	return data, err == nil, err
}

// checkListen refuses a non-loopback address unless allowRemote: the
// emulator has no authentication unless -credentials is given.
func checkListen(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-listen %q: %w", addr, err)
	}
	if allowRemote {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-listen %q is not a loopback address; pass -allow-remote to serve other hosts", addr)
}

// loopbackHostOnly refuses requests whose Host is not a loopback name or
// address: a server on loopback is reached by those, and a web page that
// rebinds its own name to 127.0.0.1 (DNS rebinding) sends its name, so it
// cannot use the emulator as a same-origin server.
func loopbackHostOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusMisdirectedRequest)
			_, _ = fmt.Fprintf(w, "{\"error\":%q}\n", "Host "+r.Host+" is not a loopback address; run with -allow-remote to serve other names")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// parseCredentials reads KEY:SECRET pairs from a file (one per line, or
// comma separated; # starts a comment) or from the flag value itself.
func parseCredentials(v string) (map[string]string, error) {
	text := v
	if b, err := os.ReadFile(v); err == nil {
		text = string(b)
	} else if !strings.Contains(v, ":") {
		return nil, fmt.Errorf("-credentials: %w", err)
	}
	creds := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		line, _, _ = strings.Cut(line, "#")
		for _, pair := range strings.Split(line, ",") {
			pair = strings.TrimSpace(pair)
			if pair == "" {
				continue
			}
			key, secret, ok := strings.Cut(pair, ":")
			if !ok || key == "" || secret == "" {
				return nil, fmt.Errorf("-credentials: %q is not KEY:SECRET", pair)
			}
			creds[key] = secret
		}
	}
	if len(creds) == 0 {
		return nil, errors.New("-credentials: no KEY:SECRET pairs")
	}
	return creds, nil
}

// writeFileDurably replaces dir/name so that after a crash either the old
// or the new content is there, never a mix: write a temporary file, fsync
// it, rename it over the old one, fsync the directory.
func writeFileDurably(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, name+".tmp-*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer func() { _ = d.Close() }()
	return d.Sync()
}

// loadTokenKey reads the token-signing key kept in dir/tokenKeyFile, or
// draws one and keeps it there (writeFileDurably: never half a key).
func loadTokenKey(dir string) ([]byte, error) {
	const size = 32
	path := filepath.Join(dir, tokenKeyFile)
	key, err := os.ReadFile(path)
	switch {
	case err == nil && len(key) == size:
		return key, nil
	case err == nil:
		return nil, fmt.Errorf("%s: %d bytes, want %d (delete it to draw a new key: tokens issued before are then refused)", path, len(key), size)
	case !errors.Is(err, os.ErrNotExist):
		return nil, err
	}
	key = make([]byte, size)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := writeFileDurably(dir, tokenKeyFile, key); err != nil {
		return nil, err
	}
	return key, nil
}
