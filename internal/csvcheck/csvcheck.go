// Package csvcheck reads a contacts CSV file once, streaming, and reports
// what the API would refuse in it: the engine of chatinc.CheckCSV and of the
// header check the upload calls make before sending.
package csvcheck

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/chatinc/chatinc-go/internal/wire"
)

// MaxProblems is how many problems a Report keeps; it counts them all.
const MaxProblems = 1000

// maxValue is how much of an offending value a Problem keeps, in bytes (the
// rest is "…"): enough to find a row by, not a megabyte of one.
const maxValue = 64

// Report is what Check found.
type Report struct {
	Columns      []string
	NumberColumn int
	Rows         int
	Problems     []Problem
	ProblemCount int
	// Empty maps a column other than the number column to the data rows
	// (of the header's field count) that leave it empty or blank; nil when
	// there are none.
	Empty map[string]int
}

// Problem is one row at fault.
type Problem struct {
	Line   int
	Value  string
	Reason string
}

// HeaderError is a file without a header or without a "number" column: not
// a file of contacts at all.
type HeaderError struct{ Reason string }

func (e *HeaderError) Error() string { return e.Reason }

// Normalizer checks one number: its normal form, or the reason it is not a
// phone number.
type Normalizer func(s string) (normal, reason string)

// newReader returns the csv.Reader both Check and Header read with: the
// API's dialect (commas, strict quotes, any number of fields a row).
func newReader(r io.Reader) *csv.Reader {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // checked by Check, to say more than csv.ErrFieldCount
	cr.ReuseRecord = true
	return cr
}

// readHeader reads the header record: its columns as written (a leading
// byte order mark removed) and the index of the "number" column, matched
// case-insensitively after trimming spaces.
func readHeader(cr *csv.Reader) ([]string, int, error) {
	rec, err := cr.Read()
	if err == io.EOF {
		return nil, -1, &HeaderError{Reason: "the file is empty: it has no header"}
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, -1, &HeaderError{Reason: fmt.Sprintf("the header (line %d) is not valid CSV: %v", pe.StartLine, pe.Err)}
		}
		return nil, -1, err
	}
	columns := make([]string, len(rec))
	number := -1
	for i, name := range rec {
		if i == 0 {
			name = strings.TrimPrefix(name, "\ufeff")
		}
		columns[i] = name
		if number < 0 && strings.EqualFold(strings.TrimSpace(name), "number") {
			number = i
		}
	}
	if number < 0 {
		return nil, -1, &HeaderError{Reason: noNumberColumn(columns)}
	}
	return columns, number, nil
}

// noNumberColumn says why a header lacks its "number" column, naming the
// delimiter when the header looks split by one other than a comma.
func noNumberColumn(columns []string) string {
	reason := `header has no "number" column`
	if len(columns) == 1 {
		for _, d := range []struct{ sep, name string }{{";", `";" (semicolon)`}, {"\t", "tab"}} {
			if strings.Contains(columns[0], d.sep) {
				return reason + ": its fields are separated by " + d.name +
					"; the API reads comma-separated files: save it as CSV with commas"
			}
		}
	}
	return fmt.Sprintf("%s: the columns are %s", reason, quoteList(columns, 8))
}

func quoteList(names []string, max int) string {
	var b strings.Builder
	for i, n := range names {
		if i == max {
			fmt.Fprintf(&b, ", and %d more", len(names)-max)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(wire.Truncate(n, 40)))
	}
	return b.String()
}

// Header reads only the header record of r and checks that it has a
// "number" column. The error is a *HeaderError, or r's own.
func Header(r io.Reader) error {
	_, _, err := readHeader(newReader(r))
	return err
}

// MaxRecord is the longest record Check reads, in bytes, its line ends
// included: a contacts row is a few hundred bytes, and encoding/csv holds a
// record whole, so a line that does not end, or a quote left open, must not
// make the check hold the rest of the file.
const MaxRecord = 1 << 20

// RecordError is a record longer than MaxRecord: Check stops there, having
// read at most MaxRecord bytes of it.
type RecordError struct {
	// AfterLine is the last line of the record before it; 0 when the long
	// record is the header.
	AfterLine int
}

func (e *RecordError) Error() string {
	if e.AfterLine == 0 {
		return fmt.Sprintf("the header is longer than %d MiB", MaxRecord>>20)
	}
	return fmt.Sprintf("the row after line %d is longer than %d MiB", e.AfterLine, MaxRecord>>20)
}

// errTooLong is what recordLimit's Read fails with once tripped.
var errTooLong = errors.New("csvcheck: record too long")

// recordLimit lets the csv.Reader read at most MaxRecord bytes past the
// end of the record it read last (limit), then fails, and goes on failing:
// the record being read is too long. encoding/csv returns the error as is,
// unless a ParseError in the same record hides it; tripped is the truth.
type recordLimit struct {
	r       io.Reader
	read    int64
	limit   int64
	tripped bool
}

func (l *recordLimit) Read(p []byte) (int, error) {
	if l.tripped || l.read >= l.limit {
		l.tripped = true
		return 0, errTooLong
	}
	if left := l.limit - l.read; int64(len(p)) > left {
		p = p[:left]
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	return n, err
}

// Check reads r to its end. It keeps the first MaxProblems problems and a
// map of the numbers seen (normalized, to their line): memory does not
// otherwise grow with the file. Rows whose fields are all empty are skipped,
// as the API skips them. A record longer than MaxRecord ends the check with
// a *RecordError. Any other error is a *HeaderError, or r's own.
func Check(r io.Reader, normalize Normalizer) (*Report, error) {
	lim := &recordLimit{r: r, limit: MaxRecord}
	cr := newReader(lim)
	columns, number, err := readHeader(cr)
	if lim.tripped {
		return nil, &RecordError{}
	}
	if err != nil {
		return nil, err
	}
	lastLine := 1 // the last line of the record read last
	rep := &Report{Columns: columns, NumberColumn: number}
	add := func(line int, value, reason string) {
		rep.ProblemCount++
		if len(rep.Problems) < MaxProblems {
			// Clone: a field shares its record's memory.
			rep.Problems = append(rep.Problems, Problem{Line: line, Value: strings.Clone(wire.Truncate(value, maxValue)), Reason: reason})
		}
	}
	seen := make(map[string]int)
	empty := make([]int, len(columns)) // by column index
	for {
		lim.limit = cr.InputOffset() + MaxRecord
		rec, err := cr.Read()
		if lim.tripped {
			return nil, &RecordError{AfterLine: lastLine}
		}
		if err == io.EOF {
			rep.Empty = emptyByName(columns, number, empty)
			return rep, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rep.Rows++
			add(pe.StartLine, "", "not valid CSV: "+pe.Err.Error())
			lastLine = pe.Line // read through the line of the fault
			continue
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		// The record ends on the line its last field starts on, plus one
		// for each line end inside that field (quoted).
		last, _ := cr.FieldPos(len(rec) - 1)
		lastLine = last + strings.Count(rec[len(rec)-1], "\n")
		if allEmpty(rec) {
			continue
		}
		rep.Rows++
		if len(rec) != len(columns) {
			add(line, wire.Truncate(strings.Join(rec, ","), maxValue),
				fmt.Sprintf("%d fields, header has %d", len(rec), len(columns)))
			continue
		}
		for i, f := range rec {
			if i != number && isBlank(f) {
				empty[i]++
			}
		}
		n, reason := normalize(rec[number])
		switch first, dup := seen[n]; {
		case reason != "":
			add(line, rec[number], reason)
		case dup:
			add(line, rec[number], fmt.Sprintf("duplicate of line %d", first))
		default:
			if n == rec[number] {
				// The number was in normal form and is the field itself,
				// which shares its record's memory: keep a copy only.
				n = strings.Clone(n)
			}
			seen[n] = line
		}
	}
}

// isBlank reports whether a field holds nothing but spaces: a placeholder
// filled from it reads "Hi , your code is .".
func isBlank(f string) bool {
	for i := 0; i < len(f); i++ {
		if c := f[i]; c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// emptyByName turns the counts by column index into Report.Empty: by
// column name (two columns of one name add up), nil when none is empty.
func emptyByName(columns []string, number int, counts []int) map[string]int {
	var m map[string]int
	for i, n := range counts {
		if n == 0 || i == number {
			continue
		}
		if m == nil {
			m = make(map[string]int)
		}
		m[columns[i]] += n
	}
	return m
}

func allEmpty(rec []string) bool {
	for _, f := range rec {
		if f != "" {
			return false
		}
	}
	return true
}
