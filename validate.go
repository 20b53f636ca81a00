package chatinc

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// checkName checks an ID, a name or a field name, which the API matches
// exactly: it is required, not blank, valid UTF-8 (json.Marshal would turn
// each invalid byte into U+FFFD, so that "vip\xff" and "vip\xfe" would both
// go out as "vip\ufffd" and name the same audience), and free of control
// characters (line breaks, NUL, DEL).
func checkName(field, s string) error {
	switch {
	case s == "":
		return invalid(field, "required")
	case strings.TrimSpace(s) == "":
		return invalid(field, "%q is blank", s)
	}
	if err := checkText(field, s); err != nil {
		return err
	}
	if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return invalid(field, "holds a control character (%U) at byte %d", r, i)
	}
	return nil
}

// checkOptionalName is checkName for a name that may be left empty.
func checkOptionalName(field, s string) error {
	if s == "" {
		return nil
	}
	return checkName(field, s)
}

// checkText checks free text (a message, a description, a value), which
// may hold line breaks: it must be valid UTF-8, or json.Marshal would
// silently replace each invalid byte with U+FFFD.
func checkText(field, s string) error {
	if utf8.ValidString(s) {
		return nil
	}
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	return invalid(field, "is not valid UTF-8 (byte %d is %#x)", i, s[i])
}

// checkIdentity checks the ID, name and description of an audience or a
// variable group to create.
func checkIdentity(id, name, description string) error {
	if err := checkName("id", id); err != nil {
		return err
	}
	if err := checkName("name", name); err != nil {
		return err
	}
	return checkText("description", description)
}

// checkNames checks a list of IDs, e.g. audiences, naming each as
// field[i].
func checkNames(field string, ids []string) error {
	for i, id := range ids {
		if err := checkName(fmt.Sprintf("%s[%d]", field, i), id); err != nil {
			return err
		}
	}
	return nil
}
