package chatinc_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	chatinc "github.com/chatinc/chatinc-go"
)

// FuzzPlaceholders checks the placeholder parser on any message: every "{"
// starts exactly one placeholder, found in order at its byte offset; the
// text between placeholders has no "{"; ValidateMessage reports only
// placeholders Placeholders found (or the length); and RenderMessage with a
// value for every well-formed placeholder leaves none of them behind.
func FuzzPlaceholders(f *testing.F) {
	for _, s := range []string{
		"Hello, {users.first_name} {users.last_name}", "My message {}", "Hi {first_name}",
		"{ users.x }", "{users.}", "{.x}", "{a.b.c}", "unclosed {users.first", "{{a.b}}", "}{", "Olá {users.código} 😀",
		"\xff{a.b}\xfe", strings.Repeat("{a.b}", 300),
	} {
		f.Add(s)
	}
	groups := []chatinc.VariableGroup{{Name: "users", Fields: []string{"first_name", "last_name"}}, {Name: "a", Fields: []string{"b"}}}
	f.Fuzz(func(t *testing.T, message string) {
		ps := chatinc.Placeholders(message)
		if len(ps) != strings.Count(message, "{") {
			t.Fatalf("%d placeholders for %d {", len(ps), strings.Count(message, "{"))
		}
		end := 0
		values := map[string]map[string]string{}
		for _, p := range ps {
			if p.Offset < end || !strings.HasPrefix(message[p.Offset:], p.Text) || !strings.HasPrefix(p.Text, "{") {
				t.Fatalf("placeholder %+v out of order or not at its offset", p)
			}
			if strings.Contains(message[end:p.Offset], "{") || strings.Contains(p.Text[1:], "{") {
				t.Fatalf("a { outside a placeholder before %+v", p)
			}
			if strings.Contains(p.Text[:len(p.Text)-1], "}") {
				t.Fatalf("placeholder %+v runs past its }", p)
			}
			end = p.Offset + len(p.Text)
			if values[p.Group] == nil {
				values[p.Group] = map[string]string{}
			}
			values[p.Group][p.Variable] = "v"
		}
		var ce *chatinc.CheckError
		if err := chatinc.ValidateMessage(message, groups); err != nil {
			if !errors.As(err, &ce) || len(ce.Problems) == 0 {
				t.Fatalf("ValidateMessage: %v", err)
			}
			for _, pr := range ce.Problems {
				if pr.Offset == -1 {
					if utf8.RuneCountInString(message) <= chatinc.MaxMessageLength {
						t.Fatalf("a length problem for a message within the limit: %+v", pr)
					}
					continue
				}
				if !strings.HasPrefix(message[pr.Offset:], pr.Text) || pr.Reason == "" {
					t.Fatalf("problem %+v not at a placeholder", pr)
				}
			}
		}
		out, err := chatinc.RenderMessage(message, values)
		if err == nil {
			// Every "{" began a placeholder, and each became "v".
			want := len(message) + len(ps)
			for _, p := range ps {
				want -= len(p.Text)
			}
			if strings.Contains(out, "{") || len(out) != want {
				t.Fatalf("RenderMessage left a placeholder: %q -> %q", message, out)
			}
		} else if !errors.As(err, &ce) {
			t.Fatalf("RenderMessage: %v", err)
		}
	})
}

var normalNumber = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// FuzzNormalizeNumber checks that what NormalizeNumber accepts is "+" and 7
// to 15 digits, the same digits as written, in a form NormalizeNumber
// returns unchanged; and that what it refuses is a *ValidationError.
func FuzzNormalizeNumber(f *testing.F) {
	for _, s := range []string{"+27 82 000-0001", "07700 900123", "0044 7700 900123", "+0 555", "15550100001",
		"+1 (555) 010-0001", "+1 555 CALL", "", "+", "00", "++1", "+1\u00a0555\u00a00100", "٠١٢٣٤٥٦٧", "+123456789012345678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := chatinc.NormalizeNumber(s)
		if err != nil {
			var ve *chatinc.ValidationError
			if !errors.As(err, &ve) || ve.Field != "number" || ve.Reason == "" || n != "" {
				t.Fatalf("NormalizeNumber(%q) = %q, %v", s, n, err)
			}
			return
		}
		if !normalNumber.MatchString(n) {
			t.Fatalf("NormalizeNumber(%q) = %q, not + and 7 to 15 digits", s, n)
		}
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, s)
		if n[1:] != strings.TrimPrefix(digits, strings.Repeat("0", len(digits)-len(n[1:]))) {
			t.Fatalf("NormalizeNumber(%q) = %q changed the digits", s, n)
		}
		if again, err := chatinc.NormalizeNumber(n); err != nil || again != n {
			t.Fatalf("NormalizeNumber(%q) = %q, %v: not idempotent", n, again, err)
		}
	})
}

// FuzzCheckCSV compares CheckCSV with a plain reading of the whole file by
// encoding/csv: the same columns, rows and problems.
func FuzzCheckCSV(f *testing.F) {
	for _, s := range []string{
		"number,first_name\n+15550100001,Ada\n+15550100001,Ada\n",
		"\ufeffNumber;x\n1;2\n", "number\n07700 900123\n\n,\n", "a,number,b\n1,+15550100001\n1,2,3,4\n",
		"number,note\n+15550100002,\"multi\nline\"\n+15550100002,x\n", "number\n\"unclosed\n", "number\nx\"y\n", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		rep, err := chatinc.CheckCSV(strings.NewReader(data))
		want, wantErr := referenceCheck(data)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("CheckCSV error %v, reference %v", err, wantErr)
		}
		if err != nil {
			var ve *chatinc.ValidationError
			if !errors.As(err, &ve) || ve.Field != "file" {
				t.Fatalf("CheckCSV error %v is not a *ValidationError for file", err)
			}
			return
		}
		if rep.Rows != want.Rows || rep.ProblemCount != want.ProblemCount || rep.NumberColumn != want.NumberColumn ||
			len(rep.Problems) != min(want.ProblemCount, 1000) {
			t.Fatalf("CheckCSV %+v, reference %+v", rep, want)
		}
		for i, p := range rep.Problems {
			if p != want.Problems[i] {
				t.Fatalf("problem %d: %+v, reference %+v", i, p, want.Problems[i])
			}
		}
	})
}

// referenceCheck is CheckCSV written the simple way, holding the file.
func referenceCheck(data string) (*chatinc.CSVReport, error) {
	cr := csv.NewReader(strings.NewReader(data))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, errors.New("no header")
	}
	rep := &chatinc.CSVReport{NumberColumn: -1}
	for i, c := range header {
		if i == 0 {
			c = strings.TrimPrefix(c, "\ufeff")
		}
		if rep.NumberColumn < 0 && strings.EqualFold(strings.TrimSpace(c), "number") {
			rep.NumberColumn = i
		}
	}
	if rep.NumberColumn < 0 {
		return nil, errors.New("no number column")
	}
	add := func(line int, value, reason string) {
		if len(value) > 256 {
			cut := 256
			for cut > 0 && !utf8.RuneStart(value[cut]) {
				cut--
			}
			value = value[:cut] + "…"
		}
		rep.ProblemCount++
		rep.Problems = append(rep.Problems, chatinc.CSVProblem{Line: line, Value: value, Reason: reason})
	}
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rep, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rep.Rows++
			add(pe.StartLine, "", "not valid CSV: "+pe.Err.Error())
			continue
		}
		if strings.Join(rec, "") == "" {
			continue
		}
		rep.Rows++
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			add(line, strings.Join(rec, ","), strconv.Itoa(len(rec))+" fields, header has "+strconv.Itoa(len(header)))
			continue
		}
		n, err := chatinc.NormalizeNumber(rec[rep.NumberColumn])
		var ve *chatinc.ValidationError
		switch first, dup := seen[n]; {
		case errors.As(err, &ve):
			add(line, rec[rep.NumberColumn], ve.Reason)
		case dup:
			add(line, rec[rep.NumberColumn], "duplicate of line "+strconv.Itoa(first))
		default:
			seen[n] = line
		}
	}
}

// FuzzVariableGroupRows sends a group of two rows, the second of any number
// and values, and checks that it is refused exactly when the rule says so
// (its number refused by NormalizeNumber, a value under a name that is not
// a field, a value that is not valid UTF-8), naming the first bad part of
// the row, and that a group accepted is sent as json.Marshal writes it.
func FuzzVariableGroupRows(f *testing.F) {
	f.Add("+15550000002", "first_name", "Bo", "city", "Cape Town")
	f.Add("+1 (555) 000-0002", "last_name", "<b>\"Doe\"</b>\u2028", "first_name", "\t\n")
	f.Add("0555", "first_name", "Bo", "age", "7")
	f.Add("+15550000002", "number", "x", "city", "S\xe3o Paulo")
	f.Add("+15550000002", "first_name", "\xff", "zone", "")
	fields := []string{"last_name", "first_name", "city"}
	f.Fuzz(func(t *testing.T, number, k1, v1, k2, v2 string) {
		var body []byte
		c, mock := newTestClient(t)
		mock.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
			body, _ = io.ReadAll(r.Body)
			return newResponse(200, "application/json", `{"status":"success"}`), nil
		})
		values := map[string]string{k1: v1, k2: v2}
		rows := []chatinc.Row{{Number: "+15550000001", Values: map[string]string{"city": "x"}}, {Number: number, Values: values}}
		_, err := c.CreateVariableGroup(context.Background(), chatinc.VariableGroupParams{ID: "g", Name: "users", Fields: fields, Values: rows})

		// The rule, written plainly: the number, then the first unknown
		// name, then a value that is not valid UTF-8.
		want := ""
		if _, err := chatinc.NormalizeNumber(number); err != nil {
			want = "values[1].number"
		}
		var unknown, bad []string
		for k, v := range values {
			switch {
			case !slices.Contains(fields, k):
				unknown = append(unknown, k)
			case !utf8.ValidString(v):
				bad = append(bad, k)
			}
		}
		switch {
		case want != "":
		case len(unknown) > 0:
			want = "values[1]." + slices.Min(unknown)
		case len(bad) > 0:
			want = "values[1]." + slices.Min(bad)
		}
		if want != "" {
			var ve *chatinc.ValidationError
			if !errors.As(err, &ve) || ve.Reason == "" || body != nil {
				t.Fatalf("%q %q: %v, sent %q; want a *ValidationError for %s", number, values, err, body, want)
			}
			if ve.Field != want {
				t.Fatalf("%q %q: Field %q, want %q", number, values, ve.Field, want)
			}
			return
		}
		if err != nil {
			t.Fatalf("%q %q: %v", number, values, err)
		}
		old := []oldRow{oldRow(rows[0]), oldRow(rows[1])}
		enc, _ := json.Marshal(struct {
			ID     string   `json:"id"`
			Name   string   `json:"name"`
			Fields []string `json:"fields"`
			Values []oldRow `json:"values"`
		}{"g", "users", fields, old})
		if string(body) != string(enc) {
			t.Fatalf("sent %s\nwant %s", body, enc)
		}
	})
}
