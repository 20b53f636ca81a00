package wire

import (
	"encoding/json"
	"strings"
	"testing"
)

// validDoc is json.Valid by validEnd: one value, white space around it.
func validDoc(data []byte) bool {
	end, ok := validEnd(data, skipSpace(data, 0), 0)
	return ok && skipSpace(data, end) == len(data)
}

// validCases are documents at the edges of the grammar, valid or not.
var validCases = []string{
	``, ` `, `0`, `-0`, `-`, `01`, `1.`, `1.5`, `.5`, `1e`, `1e+`, `1E-7`, `1e5.0`, `-01`, `2.0e+10`,
	`"`, `""`, `"\"`, `"\\"`, `"\u00e9"`, `"\u00g9"`, `"\u00e"`, `"\x"`, `"\/\b\f\n\r\t"`, "\"a\tb\"", "\"\xff\xfe\"", "\"\x7f\"",
	`true`, `tru`, `truex`, `false`, `null`, `nul`, `nulll`, `True`,
	`[]`, `[ ]`, `[,]`, `[1,]`, `[1 2]`, `[1,,2]`, `[[[]]]`, `[`, `]`, `[1`, `[1,`,
	`{}`, `{ }`, `{"a":1}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{a:1}`, `{"a":1 "b":2}`, `{"a" : [ {"b" : null} ] }`, `{1:2}`,
	`[{"id":"a","fields":["x","y"]}]`, ` [ {"id" : 1} , {"id":2} ] `, `[1] x`, `[1]]`, "[1]\x00", "\t[\r\n]\n",
}

// TestValidEnd: validEnd's verdict is json.Valid's, for the grammar's edges
// and for nesting at and past encoding/json's limit.
func TestValidEnd(t *testing.T) {
	cases := append([]string{}, validCases...)
	for _, n := range []int{maxDepth - 1, maxDepth, maxDepth + 1} {
		cases = append(cases, strings.Repeat("[", n)+strings.Repeat("]", n),
			strings.Repeat(`{"a":`, n-1)+"[]"+strings.Repeat("}", n-1))
	}
	for _, c := range cases {
		if got, want := validDoc([]byte(c)), json.Valid([]byte(c)); got != want {
			t.Errorf("%.40q (%d bytes): validEnd says %v, json.Valid %v", c, len(c), got, want)
		}
	}
}

// FuzzValidEnd checks validEnd against json.Valid on any bytes.
func FuzzValidEnd(f *testing.F) {
	for _, c := range validCases {
		f.Add([]byte(c))
	}
	for _, b := range fuzzBodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := validDoc(data), json.Valid(data); got != want {
			t.Fatalf("%q: validEnd says %v, json.Valid %v", data, got, want)
		}
	})
}
