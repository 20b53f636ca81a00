package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// printJSON writes v as indented JSON to stdout.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table writes aligned columns; Flush writes them out. It holds its rows
// until then, so it is for lists the API returns whole, never for a
// campaign's results.
type table struct{ w *tabwriter.Writer }

func newTable(w io.Writer, headers ...string) *table {
	t := &table{w: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
	t.row(headers...)
	return t
}

func (t *table) row(cells ...string) {
	for i, c := range cells {
		cells[i] = oneLine(c)
	}
	fmt.Fprintln(t.w, strings.Join(cells, "\t"))
}

func (t *table) flush() error { return t.w.Flush() }

// oneLine makes a cell of s: line breaks and tabs as spaces, at most 60
// characters.
func oneLine(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(s)
	if r := []rune(s); len(r) > 60 {
		s = string(r[:59]) + "…"
	}
	return s
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress returns a progress bar on stderr when stderr is a terminal, or
// nil: scripts and logs get no bar. total -1 is an unknown size (a
// spinner and the bytes so far).
func (a *app) progress(desc string, total int64) *progressbar.ProgressBar {
	if !a.stderrTTY {
		return nil
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(a.stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSpinnerType(14),
	)
}

// uploadBar draws an upload's progress on a terminal, from the callback of
// File.WithProgress, which gives the size.
type uploadBar struct {
	a    *app
	desc string
	bar  *progressbar.ProgressBar
}

// uploadBar returns the bar of an upload, or nil for a dry run.
func (a *app) uploadBar(dry bool, desc string) *uploadBar {
	if dry || !a.stderrTTY {
		return nil
	}
	return &uploadBar{a: a, desc: desc}
}

// progress is the callback of File.WithProgress.
func (u *uploadBar) progress(sent, total int64) {
	if u == nil {
		return
	}
	if u.bar == nil || sent == 0 { // an attempt starts, perhaps again
		if u.bar != nil {
			_ = u.bar.Exit()
		}
		u.bar = u.a.progress(u.desc, total)
	}
	_ = u.bar.Set64(sent)
}

// finish clears the bar from the terminal.
func (u *uploadBar) finish() {
	if u != nil && u.bar != nil {
		_ = u.bar.Finish()
	}
}
