package blobstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/database"
)

// chunkSize is how much of a blob one row of blob_chunks holds.
const chunkSize = 256 << 10

// DB stores blobs in the database (tables blobs and blob_chunks), so that every server process behind a load
// balancer sees every file: the store of PostgreSQL deployments. A blob is written in chunks inside one transaction
// and its blobs row comes last, so a reader sees all of it or nothing; it is read a chunk at a time.
type DB struct {
	db *bun.DB
}

var _ Store = (*DB)(nil)

// NewDB returns a store in db (migrated: migrations 20261203000002).
func NewDB(db *bun.DB) *DB { return &DB{db: db} }

// Put implements Store.
func (s *DB) Put(ctx context.Context, data []byte) (string, error) {
	key, _, err := s.PutReader(ctx, bytes.NewReader(data))
	return key, err
}

// PutReader implements Store: chunk after chunk, each one INSERT, then the blob's row, in one transaction.
func (s *DB) PutReader(ctx context.Context, r io.Reader) (string, int64, error) {
	var b [keyLen / 2]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", 0, fmt.Errorf("blobstore: %w", err)
	}
	key := hex.EncodeToString(b[:])
	var size int64
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		buf := make([]byte, chunkSize)
		for seq := 0; ; seq++ {
			n, err := io.ReadFull(r, buf)
			if n > 0 {
				if _, err := tx.NewRaw("INSERT INTO blob_chunks (key, seq, data) VALUES (?, ?, ?)", key, seq, buf[:n]).Exec(ctx); err != nil {
					return err
				}
				size += int64(n)
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			if err != nil {
				return err
			}
		}
		_, err := tx.NewRaw("INSERT INTO blobs (key, size, created_at) VALUES (?, ?, ?)", key, size, time.Now().UTC()).Exec(ctx)
		return err
	})
	if err != nil {
		return "", 0, fmt.Errorf("blobstore: %w", err)
	}
	return key, size, nil
}

// Get implements Store.
func (s *DB) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := s.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	out := make([]byte, 0, b.Size())
	buf := bytes.NewBuffer(out)
	if _, err := io.Copy(buf, b); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Open implements Store: the blob reads its chunks one at a time, as it is read or sought.
func (s *DB) Open(ctx context.Context, key string) (Blob, error) {
	size, err := s.size(ctx, key)
	if err != nil {
		return nil, err
	}
	return &dbBlob{ctx: ctx, db: s.db, key: key, size: size, seq: -1}, nil
}

// Size implements Store.
func (s *DB) Size(ctx context.Context, key string) (int, error) {
	n, err := s.size(ctx, key)
	return int(n), err
}

func (s *DB) size(ctx context.Context, key string) (int64, error) {
	if !validKey(key) {
		return 0, ErrNotFound
	}
	// Every 报名表 that uses the photo on record asks its size: bound, so the database keeps it compiled.
	var n int64
	b := database.Bind(s.db)
	err := s.db.NewRaw("SELECT size FROM blobs WHERE key = ?", b.V(key)).Conn(b.On(s.db)).Scan(ctx, &n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("blobstore: %w", err)
	}
	return n, nil
}

// Delete implements Store.
func (s *DB) Delete(ctx context.Context, key string) error {
	if !validKey(key) {
		return ErrNotFound
	}
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewRaw("DELETE FROM blobs WHERE key = ?", key).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewRaw("DELETE FROM blob_chunks WHERE key = ?", key).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("blobstore: %w", err)
	}
	return nil
}

// dbBlob is an opened blob of a DB store: its size and the one chunk read last.
type dbBlob struct {
	ctx   context.Context
	db    bun.IDB
	key   string
	size  int64
	off   int64
	seq   int64 // of chunk (-1: none yet)
	chunk []byte
}

func (b *dbBlob) Size() int64 { return b.size }

func (b *dbBlob) Read(p []byte) (int, error) {
	if b.off >= b.size {
		return 0, io.EOF
	}
	seq := b.off / chunkSize
	if seq != b.seq {
		b.chunk = b.chunk[:0]
		if err := b.db.NewRaw("SELECT data FROM blob_chunks WHERE key = ? AND seq = ?", b.key, seq).Scan(b.ctx, &b.chunk); err != nil {
			return 0, fmt.Errorf("blobstore: chunk %d of %s: %w", seq, b.key, err)
		}
		b.seq = seq
	}
	at := b.off - seq*chunkSize
	if at >= int64(len(b.chunk)) {
		return 0, io.ErrUnexpectedEOF
	}
	n := copy(p, b.chunk[at:])
	b.off += int64(n)
	return n, nil
}

func (b *dbBlob) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += b.off
	case io.SeekEnd:
		offset += b.size
	}
	if offset < 0 {
		return 0, errors.New("blobstore: seek before the start")
	}
	b.off = offset
	return offset, nil
}

func (b *dbBlob) Close() error { return nil }
