package chatinctest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
)

// headerFunc receives the trimmed column names of an uploaded CSV and the
// index of its "number" column.
type headerFunc func(columns []string, numberCol int) error

// rowFunc receives each data row of an uploaded CSV: its line, its number
// and its fields (the slice is reused for the next row; the strings are not).
type rowFunc func(line int, number phone, record []string) error

// readUpload reads a multipart upload as it streams in: its text parts, and
// its "file" part as CSV through readCSV. Text parts may come before or
// after the file, so what the rows mean is only known at the end: the
// callbacks collect, and the caller applies them. It returns the text parts
// once every name in needed has a non-blank one.
func (c *call) readUpload(header headerFunc, row rowFunc, needed ...string) (map[string]string, error) {
	c.r.Body = http.MaxBytesReader(c.w.ResponseWriter, c.r.Body, maxUploadBody)
	sawFile := false
	form, err := c.readParts(func(file io.Reader) error {
		sawFile = true
		return readCSV(file, header, row)
	})
	if err != nil {
		return nil, err
	}
	if !sawFile {
		return nil, invalid("file is required")
	}
	for _, name := range needed {
		if err := required(name, form[name]); err != nil {
			return nil, err
		}
	}
	return form, nil
}

// readParts reads the multipart request body part by part, logging each.
// It returns the text parts; the "file" part goes to file (nil: skipped).
// A part may not come twice.
func (c *call) readParts(file func(io.Reader) error) (map[string]string, error) {
	mr, err := c.r.MultipartReader()
	if err != nil {
		return nil, invalid("expected a multipart/form-data body: %v", err)
	}
	form := make(map[string]string)
	seen := make(map[string]bool)
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return form, nil
		}
		if err != nil {
			return nil, bodyError("malformed multipart body", err)
		}
		name := p.FormName()
		logged := Part{Name: name, FileName: p.FileName(), ContentType: p.Header.Get("Content-Type")}
		body := &countingReader{r: p}
		switch {
		case seen[name] && name != "":
			err = invalid("%s: the part is given twice", name)
		case name == "file":
			if file != nil {
				err = file(body)
			}
		case name != "" && p.FileName() == "":
			var v []byte
			v, err = io.ReadAll(io.LimitReader(body, maxFormValue+1))
			if len(v) > maxFormValue {
				err = invalid("%s: longer than %d bytes", name, maxFormValue)
			}
			logged.Value = string(v)
			form[name] = logged.Value
		}
		seen[name] = true
		if _, drainErr := io.Copy(io.Discard, body); err == nil && drainErr != nil {
			err = bodyError("malformed multipart body", drainErr)
		}
		logged.Size = body.n
		c.h.log.addPart(c.entry, logged)
		if err != nil {
			return nil, err
		}
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (cr *countingReader) Read(p []byte) (int, error) {
	n, err := cr.r.Read(p)
	cr.n += int64(n)
	return n, err
}

// readCSV streams an uploaded CSV file: a header row with a "number" column
// (in any case; a leading byte order mark is ignored), then rows of as many
// fields. Rows whose fields are all empty are skipped; every other row's
// number must be a phone number. Errors name the line.
//
// A row (or header) longer than maxCSVRecord is refused, having been read
// no further than that: encoding/csv holds a record whole.
func readCSV(r io.Reader, header headerFunc, row rowFunc) error {
	lim := &recordLimit{r: r, limit: maxCSVRecord}
	cr := csv.NewReader(lim)
	cr.FieldsPerRecord = -1 // checked here, to say more than csv.ErrFieldCount
	cr.ReuseRecord = true
	rec, err := cr.Read()
	if lim.tripped {
		return invalid("file: the header is longer than %d MiB, the most the simulator reads of a row", maxCSVRecord>>20)
	}
	if err == io.EOF {
		return invalid("file: the file is empty")
	}
	if err != nil {
		return csvError(err)
	}
	columns := make([]string, len(rec))
	numberCol := -1
	for i, name := range rec {
		if i == 0 {
			name = strings.TrimPrefix(name, "\ufeff")
		}
		columns[i] = strings.TrimSpace(name)
		if numberCol < 0 && strings.EqualFold(columns[i], "number") {
			numberCol = i
		}
	}
	if numberCol < 0 {
		return invalid(`file: header has no "number" column`)
	}
	if header != nil {
		if err := header(columns, numberCol); err != nil {
			return err
		}
	}
	lastLine := 1 // the last line of the record read last
	for {
		lim.limit = cr.InputOffset() + maxCSVRecord
		rec, err := cr.Read()
		if lim.tripped {
			return invalid("file: a row after line %d is longer than %d MiB, the most the simulator reads of a row (a quote left open?)",
				lastLine, maxCSVRecord>>20)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return csvError(err)
		}
		line, _ := cr.FieldPos(0)
		last, _ := cr.FieldPos(len(rec) - 1)
		lastLine = last + strings.Count(rec[len(rec)-1], "\n")
		if len(rec) != len(columns) {
			return invalid("file: line %d: wrong number of fields (%d, header has %d)", line, len(rec), len(columns))
		}
		if !slices.ContainsFunc(rec, func(f string) bool { return f != "" }) {
			continue
		}
		p, ok := parsePhone(rec[numberCol])
		if !ok {
			return phoneError(fmt.Sprintf("file: line %d: number", line), rec[numberCol])
		}
		if err := row(line, p, rec); err != nil {
			return err
		}
	}
}

// maxCSVRecord is the longest CSV record the simulator reads, in bytes,
// its line end included: its own bound (the API documents none).
const maxCSVRecord = 1 << 20

// recordLimit lets a csv.Reader read at most maxCSVRecord bytes past the
// end of the record it read last (limit), then fails for good.
type recordLimit struct {
	r           io.Reader
	read, limit int64
	tripped     bool
}

func (l *recordLimit) Read(p []byte) (int, error) {
	if l.tripped || l.read >= l.limit {
		l.tripped = true
		return 0, errRecordTooLong
	}
	if left := l.limit - l.read; int64(len(p)) > left {
		p = p[:left]
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	return n, err
}

var errRecordTooLong = errors.New("CSV record too long")

// csvError names the line of a CSV syntax error.
func csvError(err error) error {
	var parseErr *csv.ParseError
	var big *http.MaxBytesError
	if errors.As(err, &parseErr) && !errors.As(err, &big) {
		return invalid("file: line %d: %v", parseErr.Line, parseErr.Err)
	}
	return bodyError("file", err)
}
