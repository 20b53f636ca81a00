package chatinctest_test

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatinc/chatinc-go/chatinctest"
)

func TestCreateAudienceFromFile(t *testing.T) {
	a := newAPI(t)
	csvText := "\ufeffName, NUMBER ,city\n" +
		"Ada,+1 555 010 0001,London\n" +
		"\n" + // blank lines and empty rows are skipped
		",,\n" +
		"Grace,\"15550100002\",\"New York, NY\"\n" +
		"Ada again,+15550100001,London\n"
	// The text parts come after the file.
	got := a.upload("/create/audience/from/file",
		part{name: "file", file: "contacts.csv", content: csvText},
		part{name: "name", content: "From file"},
		part{name: "id", content: "uploaded"},
	).requireOK().object()
	assert.Equal(t, map[string]any{"status": "success", "message": "audience created", "id": "uploaded",
		"contactsAdded": 2.0, "totalContacts": 2.0}, got)
	assert.Equal(t, []string{"+15550100001", "15550100002"}, a.numbersOf("uploaded"))

	// The text parts first; the audience is extended.
	got = a.upload("/create/audience/from/file",
		part{name: "id", content: "uploaded"},
		part{name: "name", content: "Renamed"},
		part{name: "file", file: "more.csv", content: "number\n+15550100003\n15550100002\n"},
	).requireOK().object()
	assert.Equal(t, "audience updated", got["message"])
	assert.Equal(t, 1.0, got["contactsAdded"])
	assert.Equal(t, 3.0, got["totalContacts"])

	// The log has the parts, not the file.
	reqs := a.srv.Requests()
	last := reqs[len(reqs)-1]
	assert.Equal(t, "/create/audience/from/file", last.Path)
	assert.Nil(t, last.Body)
	assert.Equal(t, []chatinctest.Part{
		{Name: "id", Size: 8, Value: "uploaded"},
		{Name: "name", Size: 7, Value: "Renamed"},
		{Name: "file", FileName: "more.csv", ContentType: "text/csv", Size: 32},
	}, last.Parts)
	assert.Equal(t, http.StatusOK, last.Status)
	assert.True(t, strings.HasPrefix(last.ContentType, "multipart/form-data; boundary="))
}

func TestCreateVariableGroupFromFile(t *testing.T) {
	a := newAPI(t)
	got := a.upload("/create/variable/group/from/file",
		part{name: "id", content: "vouchers"},
		part{name: "file", file: "v.csv", content: "first_name,number, voucher \nAda,+15550100001,SPRING-1\nGrace,+15550100002,\n"},
		part{name: "name", content: "vouchers"},
		part{name: "audienceId", content: "spring"},
	).requireOK().object()
	assert.Equal(t, map[string]any{"status": "success", "message": "variable group created", "id": "vouchers",
		"rows": 2.0, "totalRows": 2.0, "audienceId": "spring", "contactsAdded": 2.0}, got)
	assert.Equal(t, []map[string]any{{"id": "vouchers", "name": "vouchers", "fields": []any{"first_name", "voucher"}}},
		a.post("/retrieve/variable/groups", nil).requireOK().list())
	assert.Equal(t, []string{"+15550100001", "+15550100002"}, a.numbersOf("spring"))

	id := a.post("/create/campaign", map[string]any{
		"title": "t", "message": "{vouchers.first_name}: {vouchers.voucher}", "runImmediately": true, "audiences": []string{"spring"},
	}).requireOK().object()["campaignId"]
	details := a.post("/retrieve/campaign", map[string]any{"campaignId": id}).requireOK().list()
	require.Len(t, details, 2)
	assert.Equal(t, "Ada: SPRING-1", details[0]["message"])
	assert.Equal(t, "Grace: ", details[1]["message"])
}

func TestUploadErrors(t *testing.T) {
	a := newAPI(t)
	file := func(content string) part { return part{name: "file", file: "f.csv", content: content} }
	audience := []part{{name: "id", content: "a"}, {name: "name", content: "A"}}
	group := []part{{name: "id", content: "g"}, {name: "name", content: "G"}, {name: "audienceId", content: "ga"}}
	with := func(parts []part, more ...part) []part { return append(append([]part{}, parts...), more...) }
	for _, tc := range []struct {
		path    string
		parts   []part
		message string
	}{
		{"/create/audience/from/file", audience, "file is required"},
		{"/create/audience/from/file", with(audience, file("")), "file: the file is empty"},
		{"/create/audience/from/file", with(audience, file("phone,name\n1,2\n")), `file: header has no "number" column`},
		{"/create/audience/from/file", with(audience, file("number,name,city,zip\n+15550100001,a,b,c\n+15550100002,a,b\n")),
			"file: line 3: wrong number of fields (3, header has 4)"},
		{"/create/audience/from/file", with(audience, file("number\n+15550100001\n\n+15550100002,x\n")),
			"file: line 4: wrong number of fields (2, header has 1)"},
		{"/create/audience/from/file", with(audience, file("name,number\nAda,+15550100001\nGrace,call me\n")), "file: line 3: number: not a phone number"},
		{"/create/audience/from/file", with(audience, file("name,number\nAda,\n")), "file: line 2: number is required"},
		{"/create/audience/from/file", with(audience, file("number,name\n+15550100001,\"Ada\n")), `file: line 2: extraneous or missing " in quoted-field`},
		{"/create/audience/from/file", with(audience, file("number,name\n+15550100001,A\"da\n")), `file: line 2: bare " in non-quoted-field`},
		{"/create/audience/from/file", []part{{name: "name", content: "A"}, file("number\n+15550100001\n")}, "id is required"},
		{"/create/audience/from/file", []part{{name: "id", content: "a"}, file("number\n+15550100001\n")}, "name is required"},
		{"/create/audience/from/file", []part{{name: "id", content: "all"}, {name: "name", content: "A"}, file("number\n+15550100001\n")}, `id: "all" is reserved: it targets every contact`},
		{"/create/audience/from/file", with(audience, file("number\n"), file("number\n")), "file: the part is given twice"},
		{"/create/audience/from/file", with(audience, part{name: "id", content: "b"}), "id: the part is given twice"},
		{"/create/audience/from/file", with(audience, part{name: "description", content: strings.Repeat("x", 64<<10+1)}), "description: longer than 65536 bytes"},
		{"/create/variable/group/from/file", with(group, file("number\n+15550100001\n")), `file: header has no column besides "number": the fields are the other columns`},
		{"/create/variable/group/from/file", with(group, file("number,a,,b\n")), "file: header column 3: the field has no name"},
		{"/create/variable/group/from/file", with(group, file("number,a,b,a\n")), `file: header column 4: duplicate field "a"`},
		{"/create/variable/group/from/file", with(group, file("number,a,Number\n")), `file: header column 3: a field may not be named "number": that key holds each row's phone number`},
		{"/create/variable/group/from/file", with(group, file("a,number\nx,+15550100001\ny\n")), "file: line 3: wrong number of fields (1, header has 2)"},
		{"/create/variable/group/from/file", with(group, file("a,number\nx,12\n")), "file: line 2: number: not a phone number"},
		{"/create/variable/group/from/file", with(group[:2], file("a,number\n")), "audienceId is required"},
		{"/create/variable/group/from/file", with(group[1:], file("a,number\n")), "id is required"},
	} {
		t.Run(tc.path+" "+tc.message, func(t *testing.T) {
			a.upload(tc.path, tc.parts...).requireError(http.StatusBadRequest, tc.message)
		})
	}
	a.post("/create/audience/from/file", map[string]any{"id": "a"}).
		requireError(http.StatusBadRequest, "expected a multipart/form-data body: request Content-Type isn't multipart/form-data")
	a.send(http.MethodPost, "/create/audience/from/file", "--x\r\nnot a part", "multipart/form-data; boundary=x").
		requireError(http.StatusBadRequest, `malformed multipart body: malformed MIME header: missing colon: "not a part"`)

	// Nothing was stored.
	assert.Empty(t, a.get("/retrieve/audiences").object()["audiences"])
	assert.Empty(t, a.post("/retrieve/variable/groups", nil).list())
}

// TestLargeUploadStreams sends a 50,000-row CSV through a pipe, so neither
// side holds the file, and checks every row arrived.
func TestLargeUploadStreams(t *testing.T) {
	a := newAPI(t)
	const rows = 50_000
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			f, err := mw.CreateFormFile("file", "big.csv")
			if err != nil {
				return err
			}
			if _, err := io.WriteString(f, "number,first_name,voucher\n"); err != nil {
				return err
			}
			for i := range rows {
				if _, err := fmt.Fprintf(f, "+1555%07d,Name %d,V-%06d\n", i, i, i); err != nil {
					return err
				}
			}
			for _, kv := range [][2]string{{"id", "big"}, {"name", "Big"}, {"audienceId", "big-audience"}} {
				if err := mw.WriteField(kv[0], kv[1]); err != nil {
					return err
				}
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	got := a.send(http.MethodPost, "/create/variable/group/from/file", pr, mw.FormDataContentType()).requireOK().object()
	assert.Equal(t, float64(rows), got["rows"])
	assert.Equal(t, float64(rows), got["contactsAdded"])
	numbers := a.numbersOf("big-audience")
	require.Len(t, numbers, rows)
	assert.Equal(t, "+15550049999", numbers[rows-1])

	// A bad row deep in a large upload is named, and the client reads the
	// answer although it was still sending.
	var b strings.Builder
	b.WriteString("number,x\n")
	for i := range rows {
		if i == 40_000 {
			b.WriteString("oops,x\n")
		}
		fmt.Fprintf(&b, "+1555%07d,x\n", i)
	}
	a.upload("/create/audience/from/file", part{name: "id", content: "a"}, part{name: "name", content: "A"},
		part{name: "file", file: "f.csv", content: b.String()}).
		requireError(http.StatusBadRequest, "file: line 40002: number: not a phone number")
}
