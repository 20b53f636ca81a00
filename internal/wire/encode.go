package wire

import "unicode/utf8"

// AppendString appends s as a JSON string, byte for byte as encoding/json's
// Marshal writes it (HTML-escaped, invalid UTF-8 as \ufffd, U+2028 and
// U+2029 escaped), so that a body written by hand is the body json.Marshal
// would have written.
func AppendString(dst []byte, s string) []byte {
	dst, _ = AppendText(dst, s)
	return dst
}

// plain marks the bytes that encoding/json writes as they are: ASCII but
// for the control characters and " \ < > &.
var plain = func() (t [utf8.RuneSelf]bool) {
	for b := byte(0x20); b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return t
}()

// AppendText is AppendString, and reports whether s is valid UTF-8 (an
// invalid byte is written as \ufffd, as json.Marshal writes it), so that a
// value can be checked in the pass that encodes it.
func AppendText(dst []byte, s string) (_ []byte, valid bool) {
	const hex = "0123456789abcdef"
	valid = true
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if plain[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			valid = false
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"'), valid
}

// TextLen is the length of what AppendText appends for s, and whether s is
// valid UTF-8: a body's exact size, measured in the pass that checks it, so
// that its buffer is allocated once.
func TextLen(s string) (n int, valid bool) {
	valid = true
	n = len(s) + 2 // the quotes, and each byte as it is
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			i++
			if plain[b] {
				continue
			}
			switch b {
			case '\\', '"', '\b', '\f', '\n', '\r', '\t':
				n++ // \n
			default:
				n += 5 // \u00XX
			}
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			n += 5 // one byte as \ufffd
			valid = false
		case c == '\u2028' || c == '\u2029':
			n += 3 // three bytes as \u202X
		}
		i += size
	}
	return n, valid
}

// AppendStrings appends ss as a JSON array of strings (null when nil, as
// encoding/json writes a nil slice).
func AppendStrings(dst []byte, ss []string) []byte {
	if ss == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, s)
	}
	return append(dst, ']')
}

// AppendNamed opens a JSON object with the "id", "name" and, when not
// empty, "description" members that audiences and variable groups begin
// with, as json.Marshal writes them; the caller appends the rest and the
// closing brace.
func AppendNamed(dst []byte, id, name, description string) []byte {
	dst = append(dst, `{"id":`...)
	dst = AppendString(dst, id)
	dst = append(dst, `,"name":`...)
	dst = AppendString(dst, name)
	if description != "" {
		dst = append(dst, `,"description":`...)
		dst = AppendString(dst, description)
	}
	return dst
}
