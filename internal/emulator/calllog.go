package emulator

import "time"

// callLog is the call log, kept compact and free of pointers: each entry is
// 32 bytes of integers, its strings (operation, account, region, error code,
// fault id: a handful of distinct values) interned in a table. A full log of
// maxCalls entries is then ~3 MB the garbage collector never scans, where
// a slice of Call (112 bytes, five strings and a time.Time each) was ~11 MB
// it scanned on every cycle; that scan time is latency for every request
// served during it.
type callLog struct {
	entries []callEntry
	strs    []string          // interned strings; id 0 is ""
	ids     map[string]uint32 // string -> index in strs
}

type callEntry struct {
	op, account, region, code, fault uint32
	attempt                          int32
	unixNano                         int64
}

func (l *callLog) intern(s string) uint32 {
	if s == "" {
		return 0
	}
	if id, ok := l.ids[s]; ok {
		return id
	}
	if l.ids == nil {
		l.ids = map[string]uint32{}
		l.strs = []string{""}
	}
	id := uint32(len(l.strs))
	l.strs = append(l.strs, s)
	l.ids[s] = id
	return id
}

// add appends c, first dropping the older half of the log when it holds
// maxCalls entries, so that trimming costs O(1) per call amortised
// (copying the whole log on every call made a long-running emulator ~350x
// slower once the log was full).
func (l *callLog) add(c Call) {
	if len(l.entries) >= maxCalls {
		n := copy(l.entries, l.entries[len(l.entries)-maxCalls/2:])
		l.entries = l.entries[:n]
	}
	l.entries = append(l.entries, callEntry{
		op: l.intern(c.Op), account: l.intern(c.Account), region: l.intern(c.Region),
		code: l.intern(c.ErrorCode), fault: l.intern(c.Fault),
		attempt: int32(c.Attempt), unixNano: c.Time.UnixNano(),
	})
}

// all returns the log as Calls, oldest first (times in UTC).
func (l *callLog) all() []Call {
	out := make([]Call, len(l.entries))
	for i, e := range l.entries {
		out[i] = Call{Op: l.strs[e.op], Account: l.strs[e.account], Region: l.strs[e.region],
			ErrorCode: l.strs[e.code], Fault: l.strs[e.fault], Attempt: int(e.attempt),
			Time: time.Unix(0, e.unixNano).UTC()}
	}
	return out
}

func (l *callLog) reset() { *l = callLog{} }
