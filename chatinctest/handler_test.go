package chatinctest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePhone(t *testing.T) {
	for in, want := range map[string]phone{
		"+15550100001":        "+15550100001",
		"15550100001":         "15550100001",
		" +1 (555) 010-0001 ": "+15550100001",
		"1.555.010.0001":      "15550100001",
		"2904567":             "2904567",         // Saint Helena: 4 digits after +290
		"491234567890123":     "491234567890123", // Germany: 13 after +49
		"+44 20 7946 0958":    "+442079460958",
		"0044 20 7946 0958":   "+442079460958", // "00" is the international prefix
	} {
		got, ok := parsePhone(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "+", "123456", "1234567890123456", "++15550100001", "1555010000x",
		"555.010.0001", "(555) 010-4477", "1234567890", "+44 7700 9001", "+800 1234 5678", "07700 900123", "１５５５０１００００１", "+1-555-CALL-NOW", "1555\x000100001"} {
		_, ok := parsePhone(in)
		assert.False(t, ok, "%q", in)
	}
	assert.Equal(t, "15550100001", phone("+15550100001").key())

	var set phoneSet
	assert.True(t, set.add("+15550100001"))
	assert.False(t, set.add("15550100001"), "the same digits are the same contact")
	p, _ := parsePhone("0015550100001")
	assert.False(t, set.add(p), "00 is +")
	assert.True(t, set.add("15550100002"))
	assert.Equal(t, []phone{"+15550100001", "15550100002"}, set.list)
}

func TestLocale(t *testing.T) {
	for in, want := range map[string]string{"": "en_US", "enUS": "en_US", "ptBR": "pt_BR", "en_GB": "en_GB", "en-gb": "en_GB", "fr": "fr", "fil": "fil", "FIL_ph": "fil_PH"} {
		got, err := localeOf(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"e", "english", "en_", "en_USA", "e1US", "en US", "_US"} {
		_, err := localeOf(in)
		assert.Error(t, err, in)
	}
}

func TestSplitMessage(t *testing.T) {
	refs := func(segs []segment) (out []string) {
		for _, s := range segs {
			if s.ref != "" {
				out = append(out, "{"+s.ref+"}")
			} else {
				out = append(out, s.literal)
			}
		}
		return out
	}
	for in, want := range map[string][]string{
		"plain":                     {"plain"},
		"Hi {users.first_name}!":    {"Hi ", "{users.first_name}", "!"},
		"{a.b}{c.d}":                {"{a.b}", "{c.d}"},
		"{My Group.field name} end": {"{My Group.field name}", " end"},
		"a } alone is text":         {"a } alone is text"},
		"":                          nil,
	} {
		segs, err := splitMessage(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, refs(segs), in)
	}
	// A single name between braces is a placeholder without its group:
	// refused, in the SDK's words, at its byte offset.
	for in, want := range map[string]string{
		"My message {}":          "message: {} at byte 11: empty placeholder: a placeholder is {group.variable}",
		"{.x}":                   "message: {.x} at byte 0: empty group name: a placeholder is {group.variable}",
		"{x.}":                   "message: {x.} at byte 0: empty variable name: a placeholder is {group.variable}",
		"{a{b.c}":                "message: {a at byte 0: unclosed placeholder: no \"}\"",
		"unclosed {a.b":          "message: {a.b at byte 9: unclosed placeholder: no \"}\"",
		"{ a.b}":                 "message: { a.b} at byte 0: space next to a brace or the dot: a placeholder is {group.variable}",
		"{a .b}":                 "message: {a .b} at byte 0: space next to a brace or the dot: a placeholder is {group.variable}",
		"{a.b.c}":                "message: {a.b.c} at byte 0: more than one \".\": a placeholder is {group.variable}, and neither name holds a \".\"",
		`JSON {"a":1}`:           `message: {"a":1} at byte 5: no variable group: a placeholder is {group.variable}`,
		"Hi {first_name}":        "message: {first_name} at byte 3: no variable group: a placeholder is {group.variable}",
		"Grüße {users.x} {name}": "message: {name} at byte 18: no variable group: a placeholder is {group.variable}",
	} {
		_, err := splitMessage(in)
		assert.EqualError(t, err, want, in)
	}
}

func TestOutcomeDistribution(t *testing.T) {
	const n = 200_000
	var counts tally
	var maxAfter time.Duration
	for i := range n {
		a, after := outcome(1, "c_x", "r_y", strconv.Itoa(15550000000+i))
		counts[a]++
		maxAfter = max(maxAfter, after)
	}
	assert.Less(t, maxAfter, time.Hour)
	for a, want := range map[action]float64{notOnWhatsApp: 0.03, sendError: 0.02, deliveryError: 0.05, sent: 0.10, delivered: 0.35, read: 0.45} {
		assert.InDelta(t, want, float64(counts[a])/n, 0.005, a.String())
	}
	a1, d1 := outcome(7, "c", "r", "1")
	a2, d2 := outcome(7, "c", "r", "1")
	assert.Equal(t, a1, a2)
	assert.Equal(t, d1, d2)
	assert.NotEqual(t, hash(1, "ab", "c"), hash(1, "a", "bc"))
	assert.NotEqual(t, hash(1, "x"), hash(2, "x"))
}

func TestMakeID(t *testing.T) {
	seen := map[string]bool{}
	for seed := range int64(3) {
		for n := range uint64(1000) {
			id := makeID(seed, "c_", n)
			assert.Regexp(t, `^c_[A-Za-z0-9]{15}$`, id)
			assert.False(t, seen[id], id)
			seen[id] = true
		}
	}
	assert.Equal(t, makeID(5, "r_", 9), makeID(5, "r_", 9))
}

func TestLimiter(t *testing.T) {
	l := newLimiter(2, time.Second)
	t0 := time.Unix(1000, 0)
	_, ok := l.allow(t0)
	assert.True(t, ok)
	_, ok = l.allow(t0.Add(100 * time.Millisecond))
	assert.True(t, ok)
	wait, ok := l.allow(t0.Add(200 * time.Millisecond))
	assert.False(t, ok)
	assert.Equal(t, 800*time.Millisecond, wait)
	assert.Equal(t, int64(1), ceilSeconds(wait))
	_, ok = l.allow(t0.Add(time.Second))
	assert.True(t, ok, "the first request has left the window")
	wait, ok = l.allow(t0.Add(time.Second))
	assert.False(t, ok)
	assert.Equal(t, 100*time.Millisecond, wait)
	_, ok = newLimiter(0, time.Second).allow(t0)
	assert.True(t, ok)
}

func TestNormalizePath(t *testing.T) {
	for _, in := range []string{"/create/campaign", "create/campaign", "/v1/create/campaign", "v1/create/campaign"} {
		assert.Equal(t, "/create/campaign", normalizePath(in), in)
	}
	assert.Equal(t, "/v10/x", normalizePath("/v10/x"))
}

// serve sends a request straight to the handler.
func serve(s *Handler, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/v1"+path, strings.NewReader(body))
	req.Header.Set("Authorization", s.APIKey())
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	return w
}

// TestScheduledRunCompletesLazily checks that a scheduled run counts once
// its time has passed, with no request in between.
func TestScheduledRunCompletesLazily(t *testing.T) {
	s := NewHandler(WithSeed(3))
	require.Equal(t, 200, serve(s, "POST", "/create/audience", `{"id":"a","name":"A","contacts":[{"number":"+15550100001"},{"number":"+15550100002"}]}`).Code)
	at := time.Now().Add(time.Hour)
	w := serve(s, "POST", "/create/campaign", fmt.Sprintf(`{"title":"t","message":"m","runImmediately":true,"audiences":["a"],"timeToRun":%d}`, at.Unix()))
	require.Equal(t, 200, w.Code, w.Body.String())

	before := s.store.freshListings(time.Now())[0]
	assert.True(t, before.active)
	assert.Equal(t, "scheduled", before.Runs[0].Status)
	assert.Zero(t, before.TotalSent+before.TotalSendErrors+before.TotalNotOnWhatsApp)

	after := s.store.freshListings(at)[0]
	assert.False(t, after.active)
	assert.Equal(t, "completed", after.Runs[0].Status)
	assert.Equal(t, 2, after.TotalSent+after.TotalSendErrors+after.TotalNotOnWhatsApp)
}

func TestReadCSV(t *testing.T) {
	var lines []int
	var numbers []phone
	var header []string
	err := readCSV(strings.NewReader("\ufeff name , Number\r\na,+15550100001\r\n\r\n,\r\n\"b, c\",\"1555 010 0002\"\r\n"),
		func(columns []string, numberCol int) error {
			header = columns
			assert.Equal(t, 1, numberCol)
			return nil
		},
		func(line int, p phone, rec []string) error {
			lines = append(lines, line)
			numbers = append(numbers, p)
			return nil
		})
	require.NoError(t, err)
	assert.Equal(t, []string{"name", "Number"}, header)
	assert.Equal(t, []int{2, 5}, lines)
	assert.Equal(t, []phone{"+15550100001", "15550100002"}, numbers)
}

// FuzzJSONEndpoints sends arbitrary bodies to every endpoint: the answer is
// never a 500 and always JSON (or CSV).
func FuzzJSONEndpoints(f *testing.F) {
	for _, seed := range []string{
		`{"id":"a","name":"A","contacts":[{"number":"+15550100001"}]}`,
		`{"id":"g","name":"g","fields":["f"],"values":[{"number":"+15550100001","f":1}],"audienceId":"a"}`,
		`{"title":"t","message":"Hi {g.f}","runImmediately":true,"audiences":["all"],"buttons":[{"text":"x","type":"url","url":"https://x.io"}]}`,
		`{"campaignId":"c_x","audiences":["a"],"timeToRun":1}`,
		`{"campaignId":"c_x","format":"csv"}`,
		`{"id":`, `[]`, `null`, "\xff",
	} {
		for i := range 11 {
			f.Add(i, seed)
		}
	}
	s := NewHandler(WithSeed(0))
	paths := sortedKeys(s.routes)
	f.Fuzz(func(t *testing.T, i int, body string) {
		path := paths[(i%len(paths)+len(paths))%len(paths)]
		w := serve(s, s.routes[path].method, path, body)
		if w.Code == http.StatusInternalServerError {
			t.Fatalf("%s %q: 500 %s", path, body, w.Body)
		}
		if ct := w.Header().Get("Content-Type"); ct == "application/json" && !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s %q: invalid JSON %s", path, body, w.Body)
		}
		if w.Code != http.StatusOK && !bytes.Contains(w.Body.Bytes(), []byte(`"status":"error"`)) {
			t.Fatalf("%s %q: %d %s", path, body, w.Code, w.Body)
		}
	})
}
