package chatinc

import (
	"fmt"
	"math/bits"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/chatinc/chatinc-go/internal/wire"
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

// checkFields checks the text fields of an upload with checkName, in the
// order given.
func checkFields(fields ...formField) error {
	for _, f := range fields {
		if err := checkName(f.name, f.value); err != nil {
			return err
		}
	}
	return nil
}

// checkPhone checks the phone number n, named field in the error, with
// NormalizeNumber's rule. What is sent stays as the caller wrote it.
func checkPhone(field, n string) error {
	if _, reason := checkNumber(n, false); reason != "" {
		return invalid(field, "%s", reason)
	}
	return nil
}

// checkContacts checks each contact's number, naming it contacts[i].number.
// The name is made only for the error: a call may carry 100,000 contacts.
func checkContacts(contacts []Contact) error {
	for i, ct := range contacts {
		if _, reason := checkNumber(ct.Number, false); reason != "" {
			return invalid(fmt.Sprintf("contacts[%d].number", i), "%s", reason)
		}
	}
	return nil
}

// checkHTTPURL checks that s is an absolute http(s) URL.
func checkHTTPURL(field, s string) error {
	if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid(field, "%q is not an absolute http(s) URL", s)
	}
	return nil
}

// checkTimeToRun refuses a schedule more than maxTimeToRunSlip in the
// past: the API would send at once, which a caller who scheduled a send
// (often in the wrong time zone) did not mean.
func checkTimeToRun(t time.Time) error {
	if !t.IsZero() && time.Since(t) > maxTimeToRunSlip {
		return invalid("timeToRun", "%s is %s in the past; the zero time sends at once",
			t.Format(time.RFC3339), time.Since(t).Round(time.Second))
	}
	return nil
}

//go:generate go run ./internal/numplan/gen -pkg chatinc -o numbers_table.go

// NormalizeNumber returns the phone number s in the one form the SDK checks
// numbers in: "+" and 7 to 15 digits, the country calling code first. A
// number already in that form is returned as it is, without a copy.
//
// It removes spaces, dashes, dots and parentheses, and reads a leading "00"
// as "+" ("0044 20 7946 0958" is "+442079460958"); a number without either
// is taken as international already, as the API takes it ("15551234567" is
// "+15551234567"). It refuses letters and other characters, a wrong digit
// count, a number that starts with 0 after that (a national number written
// without its country code, such as the UK's "07700 900123"), a country
// calling code that no fixed-line or mobile number uses, and a number whose
// length after its calling code is not one of the code's fixed-line or mobile
// numbers: "(555) 010-4477" reads as +55 50104477, 8 digits where Brazil's
// numbers have 10 or 11. The lengths are libphonenumber's (the possible
// lengths of fixed-line and mobile numbers of every region of the code); its
// stricter validity rule is not applied, so the +1 555 ranges that tests and
// examples use stay usable. The error is a *ValidationError with Field
// "number" whose Reason says what is wrong, quoting at most the first 32
// bytes of s.
//
// Contacts and variable-group rows are checked with this rule before
// anything is sent, and so is every row by CheckCSV; the numbers sent stay
// as the caller wrote them.
func NormalizeNumber(s string) (string, error) {
	n, reason := normalizeNumber(s)
	if reason != "" {
		return "", &ValidationError{Field: "number", Reason: reason}
	}
	return n, nil
}

// normalizeNumber is NormalizeNumber with the reason as a string ("" when s
// is a number), so that CheckCSV can check rows without an error value each.
func normalizeNumber(s string) (string, string) { return checkNumber(s, true) }

// checkNumber applies the rule, and returns the normalized number only when
// keep is set: checking the 100,000 numbers of a call allocates nothing. A
// number already in normal form is s itself, found by a byte loop.
func checkNumber(s string, keep bool) (string, string) {
	if isNormalNumber(s) {
		if reason := checkCallingCode(s, s[1:], true); reason != "" {
			return "", reason
		}
		return s, ""
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return "", "required"
	}
	var buf [17]byte // "+" and up to 16 digits: more is refused anyway
	b := append(buf[:0], '+')
	digits := 0
	rest, plus := strings.CutPrefix(t, "+")
	if !plus {
		rest, plus = strings.CutPrefix(t, "00")
	}
	for _, r := range rest {
		switch {
		case r >= '0' && r <= '9':
			if digits++; len(b) < len(buf) {
				b = append(b, byte(r))
			}
		case r == ' ' || r == '\u00a0' || r == '-' || r == '.' || r == '(' || r == ')':
		case r == '+':
			return "", quoteInput(s) + ` is not a phone number: "+" may only come first`
		case unicode.IsLetter(r):
			return "", fmt.Sprintf("%s is not a phone number: it has the letter %q", quoteInput(s), r)
		default:
			return "", fmt.Sprintf("%s is not a phone number: it has the character %q", quoteInput(s), r)
		}
	}
	switch {
	case digits > 0 && b[1] == '0' && plus:
		return "", quoteInput(s) + " is not a phone number: no country code starts with 0"
	case digits > 0 && b[1] == '0':
		return "", quoteInput(s) + " starts with 0, as a national number does: " +
			"add the country code in place of the 0 (+44 7700 900123, not 07700 900123, for a UK number)"
	case digits < 7 || digits > 15:
		return "", fmt.Sprintf("%s has %d digits; a phone number has 7 to 15, with its country code", quoteInput(s), digits)
	}
	if reason := checkCallingCode(s, b[1:], plus); reason != "" {
		return "", reason
	}
	if !keep {
		return "", ""
	}
	return string(b), ""
}

// checkCallingCode checks the digits of the number s (its country calling
// code first, then the national number) against the lengths that code uses
// for fixed-line and mobile numbers (callingCodeLengths, generated from
// libphonenumber's metadata), and returns "" or the reason. Calling codes
// are prefix-free, so the first of the 1-, 2- and 3-digit prefixes in use is
// the code. plus says whether s was written with "+" or "00".
func checkCallingCode[D string | []byte](s string, digits D, plus bool) string {
	cc := 0
	for i := 0; i < 3 && i < len(digits); i++ {
		cc = cc*10 + int(digits[i]-'0')
		lengths := callingCodeLengths[cc]
		if lengths == 0 {
			continue
		}
		n := len(digits) - (i + 1)
		if lengths&(1<<n) != 0 {
			return ""
		}
		return fmt.Sprintf("%s has %d digits after its country code +%d, whose fixed-line and mobile numbers have %s%s",
			quoteInput(s), n, cc, lengthsText(lengths), readAsInternational(plus))
	}
	return fmt.Sprintf("%s is not a phone number: no country code of fixed-line or mobile numbers begins +%s%s",
		quoteInput(s), string(digits[:min(3, len(digits))]), readAsInternational(plus))
}

// readAsInternational is what a reason about the country code adds when the
// number was written without "+" or "00".
func readAsInternational(plus bool) string {
	if plus {
		return ""
	}
	return `; a number without "+" is read with its country code first`
}

// lengthsText writes the set of lengths in mask as "9", "10 or 11",
// "5 to 15" or "9, 10 or 12".
func lengthsText(mask uint32) string {
	var ns []int
	for m := mask; m != 0; m &= m - 1 {
		ns = append(ns, bits.TrailingZeros32(m))
	}
	if len(ns) == 1 {
		return strconv.Itoa(ns[0])
	}
	if last := ns[len(ns)-1]; len(ns) > 2 && last-ns[0] == len(ns)-1 {
		return fmt.Sprintf("%d to %d", ns[0], last)
	}
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// maxQuoted is how much of a caller's value an error quotes, in bytes: a
// reason stays short whatever was passed (a whole CSV line, a megabyte of
// garbage in a number column).
const maxQuoted = 32

// quoteInput quotes s as %q does, but at most its first maxQuoted bytes
// (cut on a rune boundary, then "…").
func quoteInput(s string) string { return strconv.Quote(wire.Truncate(s, maxQuoted)) }

// isNormalNumber reports whether s is in the form NormalizeNumber returns:
// "+" and 7 to 15 ASCII digits, the first not 0.
func isNormalNumber(s string) bool {
	if len(s) < 8 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
