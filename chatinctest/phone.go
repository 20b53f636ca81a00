package chatinctest

import "strings"

// phone is a normalized phone number: its 7 to 15 digits, after a "+" when
// it was written with one. Two numbers with the same digits are the same
// contact (see key), whether or not they have the "+".
type phone string

// parsePhone normalizes s: an optional leading "+" (or "00", the
// international prefix, read as "+"), then digits, with spaces, dashes,
// dots and parentheses between them dropped. The digits must be a country
// calling code and a national number of a length that code uses for
// fixed-line or mobile numbers, by libphonenumber's metadata: the simulator
// refuses (400) what the SDK's NormalizeNumber refuses for its length.
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
	if digits < 7 || !possibleLength(strings.TrimPrefix(b.String(), "+")) {
		return "", false
	}
	return phone(b.String()), true
}

//go:generate go run ../internal/numplan/gen -pkg chatinctest -o numbers_table.go

// possibleLength reports whether the digits of a number, its country calling
// code first, have a length that code uses for fixed-line or mobile numbers
// (callingCodeLengths, from libphonenumber's metadata). Calling codes are
// prefix-free: the first 1-, 2- or 3-digit prefix in the table is the code.
func possibleLength(digits string) bool {
	cc := 0
	for i := 0; i < 3 && i < len(digits); i++ {
		cc = cc*10 + int(digits[i]-'0')
		if lengths := callingCodeLengths[cc]; lengths != 0 {
			return lengths&(1<<(len(digits)-i-1)) != 0
		}
	}
	return false
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
