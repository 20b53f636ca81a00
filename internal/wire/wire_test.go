package wire

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// texts returns the raw messages as strings.
func texts(raws []json.RawMessage) []string {
	if raws == nil {
		return nil
	}
	out := make([]string, len(raws))
	for i, r := range raws {
		out[i] = string(r)
	}
	return out
}

func TestItems(t *testing.T) {
	tests := []struct {
		name    string
		key     string
		data    string
		want    []string
		wantErr string // a part of the error's text; "" for none
	}{
		{"bare array", "audiences", `[{"id":"a"}, {"id":"b"}]`, []string{`{"id":"a"}`, `{"id":"b"}`}, ""},
		{"wrapped by key, beside other arrays", "audiences", `{"status":"success","tags":["x"],"audiences":[{"id":"a"}]}`,
			[]string{`{"id":"a"}`}, ""},
		{"one object under key", "campaigns", `{"status":"success","campaigns":{"id":"a"}}`, []string{`{"id":"a"}`}, ""},
		{"null under key", "audiences", `{"audiences":null,"other":[1]}`, nil, ""},
		{"array of envelopes, object or array under key", "campaigns",
			`[{"status":"success","campaigns":{"id":"a"}},{"status":"success","campaigns":[{"id":"b"},{"id":"c"}]}]`,
			[]string{`{"id":"a"}`, `{"id":"b"}`, `{"id":"c"}`}, ""},
		{"sole array under another name", "audiences", `{"status":"success","list":[{"id":"a"}]}`, []string{`{"id":"a"}`}, ""},
		{"sole array, no key", "", `{"status":"success","rows":[{"id":"a"}]}`, []string{`{"id":"a"}`}, ""},
		{"several arrays, data", "audiences", `{"data":[{"id":"a"}],"errors":[]}`, []string{`{"id":"a"}`}, ""},
		{"several arrays, items", "", `{"items":[{"id":"a"}],"errors":[]}`, []string{`{"id":"a"}`}, ""},
		{"several arrays, results", "", `{"results":[{"id":"a"}],"columns":["id"]}`, []string{`{"id":"a"}`}, ""},
		{"empty sole array", "", `{"status":"success","rows":[]}`, []string{}, ""},
		{"several arrays, none conventional", "audiences", `{"y":[1],"x":[2]}`, nil, "several array fields (x, y)"},
		{"bare success envelope: no items", "audiences", `{"status":"success","message":"no audiences"}`, nil, ""},
		{"no array, other fields", "audiences", `{"status":"success","id":"a"}`, nil, ErrNoList.Error()},
		{"no array, status not a string", "audiences", `{"status":{"code":1}}`, nil, ErrNoList.Error()},
		{"empty", "audiences", ``, nil, ""},
		{"blank", "audiences", " \n\t", nil, ""},
		{"null", "audiences", `null`, nil, ""},
		{"HTML", "audiences", `<html>oops</html>`, nil, "got HTML"},
		{"text", "audiences", `hello`, nil, "expected a JSON array or object"},
		{"string", "audiences", `"ok"`, nil, "got a string"},
		{"number", "audiences", `42`, nil, "got a number"},
		{"boolean", "audiences", `true`, nil, "got a boolean"},
		{"string under key", "audiences", `{"audiences":"none"}`, nil, `field "audiences"`},
		{"malformed array", "audiences", `[{"id":`, nil, "unexpected end"},
		{"malformed object", "audiences", `{"audiences":[}`, nil, "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Items([]byte(tt.data), tt.key)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, texts(got))
		})
	}
}

func TestItemsNoListIsErrNoList(t *testing.T) {
	for _, data := range []string{`{"status":"success","id":"a"}`, `{"status":"ok"}`, `{"a":[1],"b":[2]}`} {
		_, err := Items([]byte(data), "audiences")
		assert.ErrorIs(t, err, ErrNoList, data)
	}
}

func TestDecodeList(t *testing.T) {
	type item struct{ N int }
	got, err := DecodeList[item]([]byte(`{"status":"success","data":[{"N":1},{"N":2}]}`), "items")
	require.NoError(t, err)
	assert.Equal(t, []item{{1}, {2}}, got)

	got, err = DecodeList[item](nil, "items")
	require.NoError(t, err)
	assert.Empty(t, got)

	_, err = DecodeList[item]([]byte(`[{"N":1},{"N":"x"}]`), "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "item 1")
}

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		body    string
		want    string
		isError bool
	}{
		{`{"status":"error","message":"bad"}`, "bad", true},
		{`  {"status":"Error","error":"worse"}  `, "worse", true},
		{`{"status":"error","message":"","error":"e"}`, "e", true},
		{`{"status":"error"}`, "", true},
		{`[{"status":"error","message":"in an array"},{"status":"success"}]`, "in an array", true},
		{`{"status":"error","message":42}`, "42", true},
		{`{"status":"error","message":{"code":1, "text":"x"}}`, `{"code":1,"text":"x"}`, true},
		{`{"status":"success","message":"ok"}`, "", false},
		{`{"message":"no status"}`, "", false},
		{`{"status":["error"]}`, "", false},
		{`[]`, "", false},
		{`["error"]`, "", false},
		{`"error"`, "", false},
		{``, "", false},
		{`not json`, "", false},
		{`{"status":"error",`, "", false},
	}
	for _, tt := range tests {
		msg, isErr := ErrorMessage([]byte(tt.body))
		assert.Equal(t, tt.isError, isErr, "%s", tt.body)
		assert.Equal(t, tt.want, msg, "%s", tt.body)
	}
}

func TestErrorText(t *testing.T) {
	const max = 20
	tests := []struct {
		name, body, want string
	}{
		{"JSON error", `{"status":"error","message":"bad request"}`, "bad request"},
		{"JSON message", `{"message":"no status"}`, "no status"},
		{"JSON error field", `{"error":"only error"}`, "only error"},
		{"JSON message, truncated", `{"status":"error","message":"` + strings.Repeat("m", 30) + `"}`, strings.Repeat("m", 20) + "…"},
		{"JSON without a message", `{"code":1}`, `{"code":1}`},
		{"HTML title", "<!doctype html><html><head><TITLE lang=en>\n 502 &amp; Bad </TITLE></head></html>", "502 & Bad"},
		{"HTML without a title", "<html><body>oops</body></html>", ""},
		{"plain text, spaces folded", "  Service \n\n unavailable\t ", "Service unavailable"},
		{"plain text, truncated", strings.Repeat("word ", 10), "word word word word …"},
		{"binary", "\xff\xfe\x00\x01", ""},
		{"empty", "", ""},
		{"blank", " \r\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ErrorText([]byte(tt.body), max))
		})
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		s    string
		max  int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello", 5, "hello"},
		{"hello", 4, "hell…"},
		{"héllo", 2, "h…"}, // é is two bytes: cut before it
		{"héllo", 3, "hé…"},
		{"👋👋", 5, "👋…"},
		{"👋👋", 3, "…"},
		{"abc", 0, "…"},
		{"", 0, ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Truncate(tt.s, tt.max), "Truncate(%q, %d)", tt.s, tt.max)
	}
}

// scalarCase is a JSON value and what a scalar type decodes from it.
type scalarCase[T any] struct {
	json string
	want T
	ok   bool
}

// testScalar decodes each case into a fresh T (preset to garbage, so that
// a reset is checked too) and compares with eq.
func testScalar[T any](t *testing.T, garbage T, eq func(got, want T) bool, tests []scalarCase[T]) {
	t.Helper()
	for _, tt := range tests {
		got := garbage
		err := json.Unmarshal([]byte(tt.json), &got)
		if !tt.ok {
			assert.Error(t, err, "%s", tt.json)
			continue
		}
		if assert.NoError(t, err, "%s", tt.json) {
			assert.True(t, eq(got, tt.want), "%s: got %v, want %v", tt.json, got, tt.want)
		}
	}
}

func TestString(t *testing.T) {
	testScalar(t, String("garbage"), func(a, b String) bool { return a == b }, []scalarCase[String]{
		{`"abc"`, "abc", true},
		{`"a\"b\u00e9"`, `a"bé`, true},
		{` "x" `, "x", true},
		{`42`, "42", true},
		{`-1.5e3`, "-1.5e3", true},
		{`15550000001`, "15550000001", true},
		{`true`, "true", true},
		{`false`, "false", true},
		{`null`, "", true},
		{`{}`, "", false},
		{`[]`, "", false},
		{`"unterminated`, "", false},
		{`tru`, "", false},
		{`-`, "", false},
	})
}

func TestInt(t *testing.T) {
	testScalar(t, Int(99), func(a, b Int) bool { return a == b }, []scalarCase[Int]{
		{`7`, 7, true},
		{`-3`, -3, true},
		{`"7"`, 7, true},
		{`12.0`, 12, true},
		{`"1e3"`, 1000, true},
		{`null`, 0, true},
		{`""`, 0, true},
		{`"abc"`, 0, false},
		{`" 7"`, 0, false},
		{`1e20`, 0, false},
		{`"NaN"`, 0, false},
		{`"Inf"`, 0, false},
		{`true`, 0, false},
		{`{}`, 0, false},
		{`[1]`, 0, false},
	})
}

func TestTime(t *testing.T) {
	sec := time.Unix(1700000000, 0)
	eq := func(a, b Time) bool { return time.Time(a).Equal(time.Time(b)) }
	testScalar(t, Time(time.Unix(1, 0)), eq, []scalarCase[Time]{
		{`1700000000`, Time(sec), true},
		{`"1700000000"`, Time(sec), true},
		{`1700000000000`, Time(sec), true}, // milliseconds
		{`1700000000123`, Time(time.UnixMilli(1700000000123)), true},
		{`"1700000000123"`, Time(time.UnixMilli(1700000000123)), true},
		{`"2023-11-14T22:13:20Z"`, Time(sec), true},
		{`"2023-11-15T00:13:20.5+02:00"`, Time(sec.Add(500 * time.Millisecond)), true},
		{`0`, Time{}, true},
		{`null`, Time{}, true},
		{`""`, Time{}, true},
		{`"yesterday"`, Time{}, false},
		{`"2023-11-14"`, Time{}, false},
		{`{}`, Time{}, false},
		{`[1700000000]`, Time{}, false},
	})
}

// Items returns the elements of the list a response holds, as Decode
// finds them (see Decode for the shapes), from memory.
func Items(data []byte, key string) ([]json.RawMessage, error) {
	return DecodeList[json.RawMessage](data, key)
}

// DecodeList decodes the list a response holds into values of T, from
// memory, as the SDK's small answers are.
func DecodeList[T any](data []byte, key string) ([]T, error) {
	var c Collect[T]
	if err := DecodeBytes(data, key, 0, &c); err != nil {
		return nil, err
	}
	return c.Items, nil
}

// DecodeBytes is Decode over an answer already in memory.
func DecodeBytes[T any](data []byte, key string, maxItems int, sink Sink[T]) error {
	var d Decoder[T]
	return d.DecodeBytes(data, key, maxItems, sink)
}
