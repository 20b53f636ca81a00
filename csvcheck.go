package chatinc

import (
	"errors"
	"fmt"
	"io"

	"github.com/chatinc/chatinc-go/internal/csvcheck"
)

// CSVReport is what CheckCSV found in a file.
type CSVReport struct {
	// Columns is the header, as written (a leading byte order mark
	// removed).
	Columns []string
	// NumberColumn is the index in Columns of the "number" column, matched
	// case-insensitively.
	NumberColumn int
	// Rows is the number of data rows. Rows whose fields are all empty are
	// not counted: the API skips them.
	Rows int
	// Problems are the first 1000 problems, in file order.
	Problems []CSVProblem
	// ProblemCount is the number of all problems.
	ProblemCount int
	// Empty maps each column other than number to the data rows that
	// leave it empty (or blank), such as {"first_name": 3}: a message
	// placeholder filled from it would read "Hi , your code is .". Only
	// rows of the header's field count are counted. Empty is nil when no
	// row leaves a column empty.
	Empty map[string]int
}

// CSVProblem is a row of a CSV file the API would refuse.
type CSVProblem struct {
	// Line is the 1-based line of the file where the row starts (the
	// header is line 1; a quoted field may span lines).
	Line int
	// Value is the number at fault, or the row for a wrong field count: at
	// most its first 64 bytes, followed by "…" when there was more.
	Value string
	// Reason says what is wrong: NormalizeNumber's reason, "duplicate of
	// line 7", or "3 fields, header has 4".
	Reason string
}

// CheckCSV reads a contacts CSV file once, as CreateAudienceFromFile and
// CreateVariableGroupFromFile would upload it, and reports its problems
// before anything is sent: numbers NormalizeNumber refuses, duplicates (the
// same number after NormalizeNumber, Reason "duplicate of line N"), and rows
// with another number of fields than the header; and it counts the rows
// that leave each other column empty (Empty). It streams: memory does not
// grow with the file, but for the set of numbers seen.
//
// A file with no header, or no "number" column, gets a *ValidationError
// (Field "file") rather than a report, saying so, and naming the delimiter
// when the header is split by ";" or a tab instead of commas. So does a
// row or header longer than MaxCSVRecord (1 MiB), such as a quote left
// open: the check stops there, having read at most that much of it, so
// its memory stays bounded whatever the file. An error reading r is
// returned wrapped.
func CheckCSV(r io.Reader) (*CSVReport, error) {
	if r == nil {
		return nil, invalid("file", "a reader is required")
	}
	rep, err := csvcheck.Check(r, normalizeNumber)
	if err != nil {
		return nil, csvError(err)
	}
	out := &CSVReport{Columns: rep.Columns, NumberColumn: rep.NumberColumn, Rows: rep.Rows, ProblemCount: rep.ProblemCount,
		Empty: rep.Empty}
	for _, p := range rep.Problems {
		out.Problems = append(out.Problems, CSVProblem(p))
	}
	return out, nil
}

// MaxCSVRecord is the longest row (or header) CheckCSV reads, in bytes,
// line ends included; a longer one ends the check with a *ValidationError.
const MaxCSVRecord = csvcheck.MaxRecord

// csvError is a *ValidationError for a file that is not a contacts CSV, or
// the read error.
func csvError(err error) error {
	var he *csvcheck.HeaderError
	if errors.As(err, &he) {
		return invalid("file", "%s", he.Reason)
	}
	var re *csvcheck.RecordError
	if errors.As(err, &re) {
		return invalid("file", "%v: a quote left open, or not a contacts CSV file", re)
	}
	return fmt.Errorf("chatinc: reading CSV: %w", err)
}
