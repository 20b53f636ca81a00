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

// Check reads r to its end. It keeps the first MaxProblems problems and a
// map of the numbers seen (normalized, to their line): memory does not
// otherwise grow with the file. Rows whose fields are all empty are skipped,
// as the API skips them. The error is a *HeaderError, or r's own.
func Check(r io.Reader, normalize Normalizer) (*Report, error) {
	cr := newReader(r)
	columns, number, err := readHeader(cr)
	if err != nil {
		return nil, err
	}
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
		rec, err := cr.Read()
		if err == io.EOF {
			rep.Empty = emptyByName(columns, number, empty)
			return rep, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rep.Rows++
			add(pe.StartLine, "", "not valid CSV: "+pe.Err.Error())
			continue
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
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
