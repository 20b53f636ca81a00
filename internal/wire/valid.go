package wire

// validEnd checks the JSON value that starts at data[i] and returns the
// index just past it, and whether it is valid JSON by encoding/json's
// rules (json.Valid): its grammar, no control character in a string, any
// other byte (UTF-8 or not) allowed there, and no more than maxDepth
// levels of nesting counted from the top of the document, of which depth
// are around the value. What follows the value is the caller's to check.
// It is one pass, and allocates nothing; recursion is as deep as the
// value's nesting, which maxDepth bounds.
func validEnd(data []byte, i, depth int) (int, bool) {
	if i >= len(data) {
		return i, false
	}
	switch c := data[i]; c {
	case '"':
		return validString(data, i)
	case '{', '[':
		if depth++; depth > maxDepth {
			return i, false
		}
		return validContainer(data, i, depth)
	case 't':
		return validWord(data, i, "true")
	case 'f':
		return validWord(data, i, "false")
	case 'n':
		return validWord(data, i, "null")
	default:
		return validNumber(data, i)
	}
}

// validContainer checks the object or array opening at data[i], which is
// at depth.
func validContainer(data []byte, i, depth int) (int, bool) {
	closing := byte(']')
	if data[i] == '{' {
		closing = '}'
	}
	if i = skipSpace(data, i+1); i < len(data) && data[i] == closing {
		return i + 1, true
	}
	for {
		var ok bool
		if closing == '}' {
			if i >= len(data) || data[i] != '"' {
				return i, false
			}
			if i, ok = validString(data, i); !ok {
				return i, false
			}
			if i = skipSpace(data, i); i >= len(data) || data[i] != ':' {
				return i, false
			}
			i = skipSpace(data, i+1)
		}
		if i, ok = validEnd(data, i, depth); !ok {
			return i, false
		}
		if i = skipSpace(data, i); i >= len(data) {
			return i, false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case closing:
			return i + 1, true
		default:
			return i, false
		}
	}
}

// validString checks the string opening at data[i].
func validString(data []byte, i int) (int, bool) {
	for i++; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			return i + 1, true
		case c < 0x20:
			return i, false
		case c == '\\':
			if i++; i >= len(data) {
				return i, false
			}
			switch data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(data) {
					return len(data), false
				}
				for _, h := range data[i+1 : i+5] {
					if !isHex(h) {
						return i, false
					}
				}
				i += 4
			default:
				return i, false
			}
		}
	}
	return i, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// validWord checks that the literal w starts at data[i].
func validWord(data []byte, i int, w string) (int, bool) {
	if len(data)-i < len(w) || string(data[i:i+len(w)]) != w {
		return i, false
	}
	return i + len(w), true
}

// validNumber checks the number starting at data[i]: -?(0|[1-9][0-9]*),
// then an optional fraction and exponent.
func validNumber(data []byte, i int) (int, bool) {
	if data[i] == '-' {
		i++
	}
	switch {
	case i >= len(data):
		return i, false
	case data[i] == '0':
		i++
	case '1' <= data[i] && data[i] <= '9':
		i = digitsEnd(data, i+1)
	default:
		return i, false
	}
	if i < len(data) && data[i] == '.' {
		j := digitsEnd(data, i+1)
		if j == i+1 {
			return j, false
		}
		i = j
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		if i++; i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		j := digitsEnd(data, i)
		if j == i {
			return j, false
		}
		i = j
	}
	return i, true
}

// digitsEnd returns the index of the first byte at or after i that is not
// a digit.
func digitsEnd(data []byte, i int) int {
	for i < len(data) && '0' <= data[i] && data[i] <= '9' {
		i++
	}
	return i
}
