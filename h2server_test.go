package chatinc_test

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2Server is a raw HTTP/2 server over TLS, written on golang.org/x/net's
// http2.Framer. It reads each request whole (HEADERS, then DATA up to
// END_STREAM), counts it, and only then plays its fault: an answer, an
// RST_STREAM with any code, a GOAWAY, a hang-up, or a body cut short.
// net/http's own server cannot reset a stream at that moment, which is
// exactly when net/http's client transport would resend a request.
type h2Server struct {
	URL   string
	play  func(hit int) h2Action
	ln    net.Listener
	hits  atomic.Int32 // complete requests read
	conns atomic.Int32 // connections accepted
	wg    sync.WaitGroup
	mu    sync.Mutex
	open  map[net.Conn]bool
}

// h2Action is what the server does once a request has been read whole.
type h2Action struct {
	kind   h2Kind
	code   http2.ErrCode // for RST_STREAM and GOAWAY
	status int           // for an answer
	body   string        // for an answer (h2Partial: the part sent)
	ctype  string        // the answer's Content-Type; "" for application/json
	debug  string        // a GOAWAY's debug data
}

type h2Kind int

const (
	h2Answer    h2Kind = iota
	h2Reset            // RST_STREAM(code) on the request's stream
	h2GoAway           // GOAWAY(code) naming no stream as processed, then close
	h2GoAwayAck        // GOAWAY(code) naming the request's stream as received, then close
	h2HangUp           // close the connection
	h2Truncate         // 200 announcing 1,000 bytes, 20 sent, then close
	h2Partial          // 200 of ctype without a length, body sent, then GOAWAY(code, debug) naming the stream, then close
)

func h2OK() h2Action { return h2Action{kind: h2Answer, status: 200, body: faultOK} }

// newH2Server starts a raw HTTP/2 server presenting testCert.
func newH2Server(t *testing.T, play func(hit int) h2Action) *h2Server {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{testCert},
		NextProtos:   []string{http2.NextProtoTLS},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &h2Server{URL: "https://" + ln.Addr().String(), play: play, ln: ln, open: map[net.Conn]bool{}}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns.Add(1)
			s.mu.Lock()
			s.open[c] = true
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(c.(*tls.Conn))
				s.mu.Lock()
				delete(s.open, c)
				s.mu.Unlock()
				_ = c.Close()
			}()
		}
	}()
	t.Cleanup(s.Close)
	return s
}

func (s *h2Server) hitCount() int { return int(s.hits.Load()) }

// Close stops the server and closes its connections.
func (s *h2Server) Close() {
	_ = s.ln.Close()
	s.mu.Lock()
	for c := range s.open {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// serve speaks HTTP/2 on one connection, from one goroutine, so that the
// framer's writes never interleave.
func (s *h2Server) serve(c *tls.Conn) {
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	if err := c.Handshake(); err != nil || c.ConnectionState().NegotiatedProtocol != http2.NextProtoTLS {
		return
	}
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(c, preface); err != nil || string(preface) != http2.ClientPreface {
		return
	}
	fr := http2.NewFramer(c, c)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	if fr.WriteSettings() != nil {
		return
	}
	var hbuf bytes.Buffer
	enc := hpack.NewEncoder(&hbuf)
	reading := map[uint32]bool{} // streams whose request is being read
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		var ended uint32
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				_ = fr.WriteSettingsAck()
			}
		case *http2.PingFrame:
			if !f.IsAck() {
				_ = fr.WritePing(true, f.Data)
			}
		case *http2.MetaHeadersFrame:
			reading[f.StreamID] = true
			if f.StreamEnded() {
				ended = f.StreamID
			}
		case *http2.DataFrame:
			if !reading[f.StreamID] {
				continue
			}
			if n := uint32(len(f.Data())); n > 0 {
				_ = fr.WriteWindowUpdate(0, n)
				_ = fr.WriteWindowUpdate(f.StreamID, n)
			}
			if f.StreamEnded() {
				ended = f.StreamID
			}
		case *http2.RSTStreamFrame:
			delete(reading, f.StreamID)
		case *http2.GoAwayFrame:
			return
		}
		if ended == 0 {
			continue
		}
		delete(reading, ended)
		act := s.play(int(s.hits.Add(1)))
		switch act.kind {
		case h2Answer:
			hbuf.Reset()
			_ = enc.WriteField(hpack.HeaderField{Name: ":status", Value: strconv.Itoa(act.status)})
			_ = enc.WriteField(hpack.HeaderField{Name: "content-type", Value: "application/json"})
			_ = enc.WriteField(hpack.HeaderField{Name: "content-length", Value: strconv.Itoa(len(act.body))})
			_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: ended, BlockFragment: hbuf.Bytes(), EndHeaders: true})
			_ = fr.WriteData(ended, true, []byte(act.body))
		case h2Reset:
			_ = fr.WriteRSTStream(ended, act.code)
		case h2GoAway, h2GoAwayAck:
			last := uint32(0)
			if act.kind == h2GoAwayAck {
				last = ended
			}
			_ = fr.WriteGoAway(last, act.code, []byte(act.debug))
			hangUp2(c)
			return
		case h2Partial:
			ctype := act.ctype
			if ctype == "" {
				ctype = "application/json"
			}
			hbuf.Reset()
			_ = enc.WriteField(hpack.HeaderField{Name: ":status", Value: "200"})
			_ = enc.WriteField(hpack.HeaderField{Name: "content-type", Value: ctype})
			_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: ended, BlockFragment: hbuf.Bytes(), EndHeaders: true})
			for b := []byte(act.body); len(b) > 0; { // frames of at most 16 KiB, the default maximum
				n := min(len(b), 16<<10)
				_ = fr.WriteData(ended, false, b[:n])
				b = b[n:]
			}
			_ = fr.WriteGoAway(ended, act.code, []byte(act.debug))
			hangUp2(c)
			return
		case h2HangUp:
			hangUp2(c)
			return
		case h2Truncate:
			hbuf.Reset()
			_ = enc.WriteField(hpack.HeaderField{Name: ":status", Value: "200"})
			_ = enc.WriteField(hpack.HeaderField{Name: "content-type", Value: "application/json"})
			_ = enc.WriteField(hpack.HeaderField{Name: "content-length", Value: "1000"})
			_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: ended, BlockFragment: hbuf.Bytes(), EndHeaders: true})
			_ = fr.WriteData(ended, false, []byte(`{"status":"success",`))
			hangUp2(c)
			return
		}
	}
}

// hangUp2 ends a connection cleanly: close_notify, then read until the
// client closes its side, so that no TCP reset destroys frames the client
// has not read yet (a GOAWAY must arrive to be obeyed).
func hangUp2(c *tls.Conn) {
	_ = c.CloseWrite()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _ = io.Copy(io.Discard, c)
}
