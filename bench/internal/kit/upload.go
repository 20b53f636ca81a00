package kit

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
)

// UploadPath is the path of the upload case: CreateAudienceFromFile.
const UploadPath = "/v1/create/audience/from/file"

// UploadMultipart is the hand-written Go upload of the upload case: the
// bytes CreateAudienceFromFile(AudienceFileParams{ID: id, Name: name,
// File: FileFromPath(file)}) sends, framed the same way (the text parts
// name then id, then the file part with its base name and text/csv, under
// boundary; "" for a random one), its exact Content-Length, the SDK's
// headers, streamed from the file through net/http.
func UploadMultipart(ctx context.Context, hc *http.Client, baseURL, boundary, id, name, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	if boundary != "" {
		if err := mw.SetBoundary(boundary); err != nil {
			return err
		}
	}
	_ = mw.WriteField("name", name)
	_ = mw.WriteField("id", id)
	h := textproto.MIMEHeader{
		"Content-Disposition": {fmt.Sprintf(`form-data; name="file"; filename=%q`, filepath.Base(file))},
		"Content-Type":        {"text/csv"},
	}
	if _, err := mw.CreatePart(h); err != nil {
		return err
	}
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	body := io.MultiReader(&head, f, bytes.NewReader([]byte(tail)))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+UploadPath, io.NopCloser(body))
	if err != nil {
		return err
	}
	req.ContentLength = int64(head.Len()) + info.Size() + int64(len(tail))
	req.Header = http.Header{
		"Authorization": {APIKey},
		"User-Agent":    {UserAgent},
		"Accept":        {"application/json"},
		"Content-Type":  {mw.FormDataContentType()},
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	return drainOK(resp)
}

// UploadSendfile sends the file's bytes alone as a plain body through
// net/http: an *os.File of exact Content-Length, which net/http hands to
// sendfile(2).
func UploadSendfile(ctx context.Context, hc *http.Client, baseURL, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+UploadPath, f)
	if err != nil {
		return err
	}
	req.ContentLength = info.Size()
	req.Header = http.Header{"Authorization": {APIKey}, "Content-Type": {"text/csv"}}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	return drainOK(resp)
}

// UploadRaw is the limit for the file's bytes: a fixed request header
// written to a TCP connection, then io.Copy of the *os.File to the
// *net.TCPConn (sendfile(2), the kernel alone), then the answer read with
// http.ReadResponse. No net/http client, no pool.
func UploadRaw(ctx context.Context, baseURL, file string) error {
	u, err := url.Parse(baseURL)
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	header := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nContent-Type: text/csv\r\nContent-Length: %d\r\nConnection: close\r\n\r\n",
		UploadPath, u.Host, APIKey, info.Size())
	if _, err := io.WriteString(conn, header); err != nil {
		return err
	}
	if _, err := io.Copy(conn, f); err != nil {
		return err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return err
	}
	return drainOK(resp)
}

func drainOK(resp *http.Response) error {
	defer resp.Body.Close()
	_, err := io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return err
}
