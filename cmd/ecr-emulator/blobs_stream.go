package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
)

// AppendBlob streams r to the end of the file of key (the registry
// protocol's uploads), synced before it returns, so a layer of any size
// never sits in memory.
func (b dirBlobs) AppendBlob(key string, r io.Reader, _ int64) (int64, error) {
	name, err := b.file(key)
	if err != nil {
		return 0, err
	}
	f, err := os.OpenFile(filepath.Join(b.dir, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// OpenBlob opens the file of key for reading (served with Range support).
func (b dirBlobs) OpenBlob(key string) (io.ReadSeekCloser, int64, bool, error) {
	name, err := b.file(key)
	if err != nil {
		return nil, 0, false, err
	}
	f, err := os.Open(filepath.Join(b.dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, err
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, 0, false, err
	}
	return f, st.Size(), true, nil
}

// RenameBlob moves a completed upload to its digest's file, durably.
func (b dirBlobs) RenameBlob(from, to string) error {
	src, err := b.file(from)
	if err != nil {
		return err
	}
	dst, err := b.file(to)
	if err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(b.dir, src), filepath.Join(b.dir, dst)); err != nil {
		return err
	}
	d, err := os.Open(b.dir)
	if err != nil {
		return err
	}
	defer func() { _ = d.Close() }()
	return d.Sync()
}
