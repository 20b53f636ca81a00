package chatinc

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzMultipartBody builds an upload's multipart body from any text fields,
// file name and content, from each kind of source, and reads it back with
// mime/multipart as a server would: every part must come back byte-exact,
// under its name, and Content-Length must be exact.
func FuzzMultipartBody(f *testing.F) {
	f.Add("aud-1", "Customers", "contacts.csv", []byte("number\n+15550000001\n"), uint8(0))
	f.Add("", "", "a.csv", []byte{}, uint8(1))
	f.Add("id with spaces", "naïve ☃ name", `we"ird\name.csv`, []byte("number,name\r\n+1555,\"Ana\"\r\n"), uint8(2))
	f.Add("x", "line\r\nbreak", "two\r\nlines.csv", []byte("--boundary\r\n\r\n"), uint8(3))
	f.Add("x", "y", "dir/sub\\file.csv", bytes.Repeat([]byte("+15550000000\n"), 1000), uint8(4))
	f.Add("x", "y", "tab\tand\x00nul\x7f.csv", []byte("\x00\xff"), uint8(1))
	f.Add("x", "y", "%0A already.csv", []byte("z"), uint8(0))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, id, name, fileName string, content []byte, mode uint8) {
		var file File
		offset := 0
		switch mode % 5 {
		case 0: // seekable, from its start
			file = FileFromReader(fileName, bytes.NewReader(content))
		case 1: // seekable, from an offset: the part holds what follows it
			offset = len(content) / 3
			r := bytes.NewReader(content)
			_, _ = r.Seek(int64(offset), io.SeekStart)
			file = FileFromReader(fileName, r)
		case 2: // cannot seek, size unknown
			file = FileFromReader(fileName, struct{ io.Reader }{bytes.NewReader(content)})
		case 3: // cannot seek, size known through Len
			file = FileFromReader(fileName, bytes.NewBuffer(append([]byte(nil), content...)))
		case 4: // a path: the part carries the file's base name
			p := filepath.Join(dir, "contacts.csv")
			if err := os.WriteFile(p, content, 0o600); err != nil {
				t.Fatal(err)
			}
			file, fileName = FileFromPath(p), "contacts.csv"
		}
		m, err := newMultipartBody([]formField{{"name", name}, {"id", id}}, "file", file, nil)
		if fileName == "" {
			if err == nil {
				t.Fatal("a reader without a file name was accepted")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}

		// An attempt's body opened and closed unread (as an attempt the
		// transport gave up on), then the next attempt's.
		_ = m.open().Close()
		body := m.open()
		raw, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		if n := m.length(); n >= 0 && n != int64(len(raw)) {
			t.Fatalf("Content-Length %d, body %d bytes", n, len(raw))
		}
		_, params, err := mime.ParseMediaType(m.contentType())
		if err != nil {
			t.Fatal(err)
		}

		mr := multipart.NewReader(bytes.NewReader(raw), params["boundary"])
		want := []struct{ form, value string }{{"name", name}, {"id", id}, {"file", string(content[offset:])}}
		for i, w := range want {
			p, err := mr.NextPart()
			if err != nil {
				t.Fatalf("part %d: %v", i, err)
			}
			got, err := io.ReadAll(p)
			if err != nil {
				t.Fatalf("part %d: %v", i, err)
			}
			if p.FormName() != w.form || string(got) != w.value {
				t.Fatalf("part %d: %q = %q, want %q = %q", i, p.FormName(), got, w.form, w.value)
			}
			if w.form != "file" {
				continue
			}
			if ct := p.Header.Get("Content-Type"); ct != "text/csv" {
				t.Fatalf("file part Content-Type %q", ct)
			}
			_, dparams, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
			if err != nil {
				t.Fatalf("file part Content-Disposition: %v", err)
			}
			if got, want := dparams["filename"], wantFileName(fileName); got != want {
				t.Fatalf("file name %q, want %q", got, want)
			}
		}
		if _, err := mr.NextPart(); err != io.EOF {
			t.Fatalf("after the file part: %v, want io.EOF", err)
		}
	})
}

// wantFileName is the file name a server reads back: the original, but for
// the bytes a header cannot carry, percent-encoded.
func wantFileName(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 && c != '\t' || c == 0x7f {
			b.WriteString("%" + strings.ToUpper(hex2(c)))
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}
