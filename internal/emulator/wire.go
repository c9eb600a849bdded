package emulator

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
)

// Time is a timestamp as awsJson1_1 sends it: epoch seconds as a JSON
// number, with milliseconds as a fraction (e.g. 1795740162.164).
type Time struct{ time.Time }

func ts(t time.Time) *Time { return &Time{t} }

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	ms := t.UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	sec, frac := math.Modf(f)
	t.Time = time.Unix(int64(sec), int64(math.Round(frac*1000))*int64(time.Millisecond)).UTC()
	return nil
}
