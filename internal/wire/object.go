package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"unsafe"
)

// errNotObject reports a JSON value that is not an object where one was
// expected.
var errNotObject = errors.New("expected a JSON object")

// ObjectText calls f with each field of the JSON object data, in order: its
// name, and its value as text, as String decodes a scalar ("" for null),
// objects and arrays kept as their JSON. data must be valid JSON, as
// encoding/json guarantees to an UnmarshalJSON method (check it with
// json.Valid otherwise); null calls f for nothing. All the text of one call
// shares one allocation, and no map is built: this is the decoder of result
// rows, of which there may be millions.
func ObjectText(data []byte, f func(key, value string)) error {
	i := skipSpace(data, 0)
	if i < len(data) && data[i] == 'n' {
		return nil // null
	}
	if i >= len(data) || data[i] != '{' {
		return fmt.Errorf("%w, got %s", errNotObject, describe(data[i:]))
	}
	type span struct{ k0, k1, v0, v1 int }
	var stack [16]span
	spans := stack[:0]
	size := 0
	i = skipSpace(data, i+1)
	for i < len(data) && data[i] != '}' {
		k0 := i
		k1 := stringEnd(data, i)
		i = skipSpace(data, k1)
		i = skipSpace(data, i+1) // ':'
		v0 := i
		v1 := valueEnd(data, i)
		if k1 > len(data) || v1 > len(data) || v0 >= v1 {
			return errors.New("malformed JSON object")
		}
		spans = append(spans, span{k0, k1, v0, v1})
		size += k1 - k0 + v1 - v0
		i = skipSpace(data, v1)
		if i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	// Lay every name and value out in one buffer, then make it one string.
	buf := make([]byte, 0, size)
	var endStack [32]int
	ends := endStack[:0]
	for _, sp := range spans {
		var err error
		if buf, err = appendText(buf, data[sp.k0:sp.k1]); err != nil {
			return err
		}
		ends = append(ends, len(buf))
		if buf, err = appendText(buf, data[sp.v0:sp.v1]); err != nil {
			return err
		}
		ends = append(ends, len(buf))
	}
	s := string(buf)
	at := 0
	for j := 0; j < len(ends); j += 2 {
		f(s[at:ends[j]], s[ends[j]:ends[j+1]])
		at = ends[j+1]
	}
	return nil
}

// appendText appends a JSON value as text, as String decodes it.
func appendText(buf, v []byte) ([]byte, error) {
	switch v[0] {
	case '"':
		if inner := v[1 : len(v)-1]; isPlainJSONText(inner) {
			return append(buf, inner...), nil
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return buf, err
		}
		return append(buf, s...), nil
	case 'n':
		return buf, nil
	}
	return append(buf, v...), nil // a number, a boolean, an object or an array
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// stringEnd returns the index just past the JSON string starting at i, or
// past len(data) when it is not closed.
func stringEnd(data []byte, i int) int {
	if i >= len(data) || data[i] != '"' {
		return len(data) + 1
	}
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(data) + 1
}

// valueEnd returns the index just past the JSON value starting at i.
func valueEnd(data []byte, i int) int {
	if i >= len(data) {
		return len(data) + 1
	}
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '{', '[':
		depth := 0
		for ; i < len(data); i++ {
			switch data[i] {
			case '"':
				i = stringEnd(data, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(data) + 1
	}
	for j := i; j < len(data); j++ {
		switch data[j] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return j
		}
	}
	return len(data)
}

// Strings decodes a JSON array of scalars as text, each as String decodes
// it, and null as no list. Convert it to []string at no cost.
type Strings []string

// UnmarshalJSON implements json.Unmarshaler.
func (ss *Strings) UnmarshalJSON(data []byte) error {
	if i := skipSpace(data, 0); (i == len(data) || data[i] != 'n') && !json.Valid(data) {
		return ss.slow(data) // encoding/json's error
	}
	out, err := TextList(data)
	if err != nil {
		return err
	}
	*ss = out
	return nil
}

// TextList decodes a JSON value as Strings does, from valid JSON (see
// Fields).
func TextList(v []byte) ([]string, error) {
	i := skipSpace(v, 0)
	if i < len(v) && v[i] == 'n' {
		return nil, nil
	}
	if i >= len(v) || v[i] != '[' {
		var ss Strings
		err := ss.slow(v)
		return ss, err
	}
	return textList(v, i)
}

// slow decodes what is not a valid array of scalars, for encoding/json's
// error.
func (ss *Strings) slow(data []byte) error {
	var slow []String
	if err := json.Unmarshal(data, &slow); err != nil {
		return err
	}
	*ss = make(Strings, len(slow))
	for j, s := range slow {
		(*ss)[j] = string(s)
	}
	return nil
}

// textList decodes the valid array data[i:] of scalars: all their text in
// one allocation.
func textList(data []byte, i int) ([]string, error) {
	var stack [16][2]int
	spans := stack[:0]
	size := 0
	for i = skipSpace(data, i+1); i < len(data) && data[i] != ']'; {
		end := valueEnd(data, i)
		if c := data[i]; c == '{' || c == '[' {
			return nil, fmt.Errorf("expected a string, got %s", describe(data[i:end]))
		}
		spans = append(spans, [2]int{i, end})
		size += end - i
		if i = skipSpace(data, end); i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	buf := make([]byte, 0, size)
	var endStack [16]int
	ends := endStack[:0]
	for _, sp := range spans {
		var err error
		if buf, err = appendText(buf, data[sp[0]:sp[1]]); err != nil {
			return nil, err
		}
		ends = append(ends, len(buf))
	}
	// buf is not written again: the strings share it, as a
	// strings.Builder's String does.
	s := unsafe.String(unsafe.SliceData(buf), len(buf))
	out := make([]string, len(ends))
	at := 0
	for j, e := range ends {
		out[j], at = s[at:e], e
	}
	return out, nil
}
