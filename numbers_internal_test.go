package chatinc

import (
	"testing"

	"github.com/chatinc/chatinc-go/internal/numplan"
)

// The number table compiled in is what libphonenumber's metadata, at the
// version go.mod pins, says: a phonenumbers upgrade without
// `go generate ./...` fails here.
func TestNumberTableIsLibphonenumbers(t *testing.T) {
	want, err := numplan.Lengths()
	if err != nil {
		t.Fatal(err)
	}
	for cc, got := range callingCodeLengths {
		if got != want[cc] {
			t.Errorf("+%d: numbers_table.go has %#x, libphonenumber %#x: run go generate ./...", cc, got, want[cc])
		}
	}
	if len(want) < 200 {
		t.Errorf("libphonenumber has %d calling codes", len(want))
	}
}
