package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Fields calls f with each field of the JSON object data, in order: its
// name, escapes undone, and its value's bytes. data must be valid JSON, as
// encoding/json guarantees to an UnmarshalJSON method (check it with
// json.Valid otherwise); null has no fields, and any other value than an
// object is an error. An error of f stops the walk and is returned.
//
// It is one pass over bytes already checked, without a decoder, a
// reflection walk or a map: the decoder of the small answer types. Match
// names with Field, which matches them as encoding/json does.
func Fields(data []byte, f func(name, value []byte) error) error {
	i := skipSpace(data, 0)
	if i < len(data) && data[i] == 'n' {
		return nil // null
	}
	if i >= len(data) || data[i] != '{' {
		return fmt.Errorf("%w, got %s", errNotObject, describe(data[i:]))
	}
	for i = skipSpace(data, i+1); i < len(data) && data[i] != '}'; {
		k1 := stringEnd(data, i)
		v0 := skipSpace(data, skipSpace(data, k1)+1) // past ':'
		v1 := valueEnd(data, v0)
		if k1 > len(data) || v1 > len(data) || v0 >= v1 {
			return fmt.Errorf("malformed JSON object %s", describe(data))
		}
		name := data[i+1 : k1-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			var s string
			if err := json.Unmarshal(data[i:k1], &s); err != nil {
				return err
			}
			name = []byte(s)
		}
		if err := f(name, data[v0:v1]); err != nil {
			return err
		}
		if i = skipSpace(data, v1); i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	return nil
}

// Field reports whether a field's name (from Fields) is want, as
// encoding/json matches a JSON name to a struct field's: exactly, or else
// without regard to case (Unicode case folding).
func Field(name []byte, want string) bool {
	return string(name) == want || bytes.EqualFold(name, []byte(want))
}

// Text decodes a JSON value as String does: a string, a number or a boolean
// as text, null as "".
func Text(v []byte) (string, error) {
	var s String
	err := s.UnmarshalJSON(v)
	return string(s), err
}

// Number decodes a JSON value as Int does.
func Number(v []byte) (int, error) {
	var n Int
	err := n.UnmarshalJSON(v)
	return int(n), err
}

// FirstValid returns an answer's object from valid JSON: data itself, or,
// when data is an array, its first element (nil for an empty array),
// found without a decoder.
func FirstValid(data []byte) []byte {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '[' {
		return data
	}
	if i = skipSpace(data, i+1); i >= len(data) || data[i] == ']' {
		return nil
	}
	return data[i:min(valueEnd(data, i), len(data))]
}
