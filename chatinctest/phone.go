package chatinctest

import "strings"

// phone is a normalized phone number: its 7 to 15 digits, after a "+" when
// it was written with one. Two numbers with the same digits are the same
// contact (see key), whether or not they have the "+".
type phone string

// parsePhone normalizes s: an optional leading "+" (or "00", the
// international prefix, read as "+"), then digits, with spaces, dashes,
// dots and parentheses between them dropped.
func parsePhone(s string) (phone, bool) {
	s = strings.TrimSpace(s)
	var b strings.Builder
	b.Grow(len(s))
	if rest, ok := strings.CutPrefix(s, "+"); ok {
		b.WriteByte('+')
		s = rest
	} else if rest, ok := strings.CutPrefix(s, "00"); ok {
		b.WriteByte('+')
		s = rest
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			if digits++; digits > 15 {
				return "", false
			}
			b.WriteByte(c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return "", false
		}
	}
	if digits < 7 {
		return "", false
	}
	return phone(b.String()), true
}

// key is what identifies the contact: the number's digits.
func (p phone) key() string { return strings.TrimPrefix(string(p), "+") }

// parsePhoneField parses the value of the field label names: a 400 when it
// is blank or not a phone number.
func parsePhoneField(label, value string) (phone, error) {
	if p, ok := parsePhone(value); ok {
		return p, nil
	}
	return "", phoneError(label, value)
}

// phoneError is the 400 for a value of the field label names that
// parsePhone rejected.
func phoneError(label, value string) error {
	if strings.TrimSpace(value) == "" {
		return invalid("%s is required", label)
	}
	return invalid("%s: not a phone number", label)
}

// phoneSet is a list of numbers without two of the same contact, in the
// order they were first added.
type phoneSet struct {
	list  []phone
	index map[string]struct{}
}

// add adds p unless the set has its contact already, and reports whether
// it did.
func (s *phoneSet) add(p phone) bool {
	if s.index == nil {
		s.index = make(map[string]struct{})
	}
	if _, dup := s.index[p.key()]; dup {
		return false
	}
	s.index[p.key()] = struct{}{}
	s.list = append(s.list, p)
	return true
}
