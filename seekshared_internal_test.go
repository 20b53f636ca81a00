package chatinc

import (
	"bytes"
	"io"
	"testing"
)

// lockProbe is a caller's reader that reports whether the seekShared's
// lock was free while its Read and Seek ran.
type lockProbe struct {
	*bytes.Reader
	sh   *seekShared
	held bool
}

func (p *lockProbe) probe() {
	if p.sh.mu.TryLock() {
		p.sh.mu.Unlock()
	} else {
		p.held = true
	}
}

func (p *lockProbe) Read(b []byte) (int, error) { p.probe(); return p.Reader.Read(b) }

func (p *lockProbe) Seek(off int64, whence int) (int64, error) {
	p.probe()
	return p.Reader.Seek(off, whence)
}

// No lock of the SDK is held while a caller's Seek or Read runs.
func TestSeekSharedRunsCallerCodeWithoutItsLock(t *testing.T) {
	p := &lockProbe{Reader: bytes.NewReader([]byte("number\n+15550100001\n"))}
	sh := &seekShared{r: p, s: p, size: int64(p.Len())}
	p.sh = sh
	for attempt := 0; attempt < 2; attempt++ {
		body, err := sh.open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(body); err != nil {
			t.Fatal(err)
		}
	}
	if p.held {
		t.Fatal("the caller's Read or Seek ran while the SDK held its lock")
	}
	old, _ := sh.open()
	if _, err := sh.open(); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Read(make([]byte, 4)); err != errSuperseded {
		t.Fatalf("a superseded attempt read: %v", err)
	}
}
