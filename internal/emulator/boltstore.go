package emulator

import (
	"errors"
	"slices"
	"strings"
	"time"
	"unsafe"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// BoltStore is a Store in a bbolt file: a copy-on-write B+tree whose
// transactions are atomic and durable (each commit is written, then
// fsynced, then its meta page, then fsynced again), so an acknowledged
// write survives kill -9 and a torn one is not there at all. A batch costs
// what it changes (the pages of the records it puts), whatever the size of
// the file.
type BoltStore struct{ db *bolt.DB }

var bucketRecords = []byte("records")

// OpenBoltStore opens (or creates) the store at path. A second process
// opening the same file waits a second for the first's lock, then fails.
func OpenBoltStore(path string) (*BoltStore, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout: time.Second,
		// The free-page list is written by each commit (it stays short:
		// a commit frees the pages of the previous version of what it
		// rewrites), so that opening does not walk every page to rebuild it.
		FreelistType: bolt.FreelistMapType,
		// Opening is followed by reading every record: map the file in
		// at once rather than fault it in page by page (Linux).
		MmapFlags: mmapPopulate,
	})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, errors.New("emulator: " + path + " is in use by another process")
		}
		return nil, err
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketRecords)
		return err
	}); err != nil {
		_ = db.Close()
		return nil, err
	}
	return &BoltStore{db: db}, nil
}

// Load implements Store. The records, keys included, point into the
// file's memory map (no copy of the 100,000s of keys a large state has):
// they are valid until fn returns, as Store says.
func (s *BoltStore) Load(fn func([]Record) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRecords)
		// Counted from the pages' headers: the slice is allocated once.
		records := make([]Record, 0, b.Stats().KeyN)
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			records = append(records, Record{Key: unsafe.String(unsafe.SliceData(k), len(k)), Value: v})
		}
		return fn(records)
	})
}

// Apply implements Store: one bbolt transaction, committed durably. The
// records are applied in key order: bbolt splits its nodes only at commit,
// so a large batch in random order would shift a growing node at every
// put (a migration of 100,000 images took minutes).
func (s *BoltStore) Apply(batch *Batch) error {
	records := slices.SortedStableFunc(slices.Values(batch.Records), func(a, b Record) int { return strings.Compare(a.Key, b.Key) })
	return s.db.Update(func(tx *bolt.Tx) error {
		if batch.Reset {
			if err := tx.DeleteBucket(bucketRecords); err != nil {
				return err
			}
			if _, err := tx.CreateBucket(bucketRecords); err != nil {
				return err
			}
		}
		b := tx.Bucket(bucketRecords)
		if batch.Reset {
			b.FillPercent = 0.9 // filled in key order: pack the pages
		}
		for _, r := range records {
			var err error
			if r.Value == nil {
				err = b.Delete([]byte(r.Key))
			} else {
				err = b.Put([]byte(r.Key), r.Value)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// Get reads one record (see recordGetter).
func (s *BoltStore) Get(key string, fn func(v []byte) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return fn(tx.Bucket(bucketRecords).Get([]byte(key)))
	})
}

// Close implements Store.
func (s *BoltStore) Close() error { return s.db.Close() }
