// Package blobstore keeps stored files (processed photos, made documents) under random keys, so that no path is ever
// derived from user input; Local keeps them in a directory on disk. Large blobs go in and out as streams (PutReader,
// Open), so neither storing nor serving one holds it in memory.
package blobstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Store holds blobs under keys it chooses.
type Store interface {
	// Put stores data under a new random key. The content appears atomically: a Get sees all of it or nothing.
	Put(ctx context.Context, data []byte) (key string, err error)
	// PutReader stores what r yields, up to EOF, under a new random key, and returns the key and the size; it copies
	// through a small buffer, so memory does not grow with the blob. Atomic like Put; an error from r stores nothing.
	PutReader(ctx context.Context, r io.Reader) (key string, size int64, err error)
	// Get returns the blob stored under key, or ErrNotFound for unknown and malformed keys.
	Get(ctx context.Context, key string) ([]byte, error)
	// Open returns the blob under key to read (and seek) as a stream, or ErrNotFound; the caller closes it.
	Open(ctx context.Context, key string) (Blob, error)
	// Size returns the length of the blob under key, or ErrNotFound, without reading it.
	Size(ctx context.Context, key string) (int, error)
	// Delete removes the blob under key. Deleting an unknown key is not an error; a malformed key is ErrNotFound.
	Delete(ctx context.Context, key string) error
}

// Blob is an opened blob: http.ServeContent can send it (it seeks for Range requests and to learn the length).
type Blob interface {
	io.ReadSeekCloser
	Size() int64
}

// ErrNotFound is returned for keys that name no blob.
var ErrNotFound = errors.New("blob not found")

// keyLen is the length of a key: 32 hex digits, 128 random bits, so keys neither collide nor can be guessed.
const keyLen = 32

// validKey reports whether key matches ^[0-9a-f]{32}$. Only such keys are ever turned into paths.
func validKey(key string) bool {
	if len(key) != keyLen {
		return false
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Local stores blobs as files: dir/<first 2 key characters>/<key>, directories 0700, files 0600. Temp files
// (".tmp-*" in the shard directory) are removed on every error; only a crash in the middle of a Put can leave one.
type Local struct {
	dir string
	// Hooks for tests; nil means the os functions.
	write  func(f *os.File, r io.Reader) (int64, error)
	rename func(oldpath, newpath string) error
}

var _ Store = (*Local)(nil)

// NewLocal returns a Local store in dir, creating it (mode 0700) if needed.
func NewLocal(dir string) (*Local, error) {
	if dir == "" {
		return nil, errors.New("blobstore: empty directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("blobstore: %w", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("blobstore: %w", err)
	}
	return &Local{dir: abs}, nil
}

// path returns the file of a key that has been validated.
func (l *Local) path(key string) string {
	return filepath.Join(l.dir, key[:2], key)
}

// Put implements Store (PutReader over data).
func (l *Local) Put(ctx context.Context, data []byte) (string, error) {
	key, _, err := l.PutReader(ctx, bytes.NewReader(data))
	return key, err
}

// PutReader implements Store: it copies r into a temp file in the shard directory, syncs it and renames it into
// place. The copy stops at the first read after ctx is done.
func (l *Local) PutReader(ctx context.Context, r io.Reader) (string, int64, error) {
	if err := ctx.Err(); err != nil {
		return "", 0, err
	}
	var b [keyLen / 2]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", 0, fmt.Errorf("blobstore: %w", err)
	}
	key := hex.EncodeToString(b[:])
	final := l.path(key)
	shard := filepath.Dir(final)
	if err := os.MkdirAll(shard, 0o700); err != nil {
		return "", 0, fmt.Errorf("blobstore: %w", err)
	}
	f, err := os.CreateTemp(shard, ".tmp-*") // mode 0600
	if err != nil {
		return "", 0, fmt.Errorf("blobstore: %w", err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			_ = f.Close() // may already be closed
			_ = os.Remove(tmp)
		}
	}()

	write := l.write
	if write == nil {
		write = func(f *os.File, r io.Reader) (int64, error) { return io.CopyBuffer(f, r, make([]byte, 64<<10)) }
	}
	rename := l.rename
	if rename == nil {
		rename = os.Rename
	}
	n, err := write(f, ctxReader{ctx, r})
	if err != nil {
		return "", 0, fmt.Errorf("blobstore: %w", err)
	}
	if err := f.Sync(); err != nil {
		return "", 0, fmt.Errorf("blobstore: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", 0, fmt.Errorf("blobstore: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return "", 0, err
	}
	if err := rename(tmp, final); err != nil {
		return "", 0, fmt.Errorf("blobstore: %w", err)
	}
	ok = true
	syncDir(shard) // make the rename durable; best effort
	return key, n, nil
}

// ctxReader stops a copy once its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// Get implements Store.
func (l *Local) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !validKey(key) {
		return nil, ErrNotFound
	}
	data, err := os.ReadFile(l.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("blobstore: %w", err)
	}
	return data, nil
}

// localBlob is an open blob file.
type localBlob struct {
	*os.File
	size int64
}

func (b localBlob) Size() int64 { return b.size }

// Open implements Store.
func (l *Local) Open(ctx context.Context, key string) (Blob, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !validKey(key) {
		return nil, ErrNotFound
	}
	f, err := os.Open(l.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("blobstore: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("blobstore: %w", err)
	}
	return localBlob{File: f, size: fi.Size()}, nil
}

// Size implements Store.
func (l *Local) Size(ctx context.Context, key string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if !validKey(key) {
		return 0, ErrNotFound
	}
	fi, err := os.Stat(l.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("blobstore: %w", err)
	}
	return int(fi.Size()), nil
}

// Delete implements Store.
func (l *Local) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !validKey(key) {
		return ErrNotFound
	}
	err := os.Remove(l.path(key))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blobstore: %w", err)
	}
	return nil
}
