package chatinctest

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// A campaign message is kept split at its {group.field} placeholders, each
// resolved to its variable group and field when the campaign is created,
// and rendered for each contact when results are read.

// segment is a piece of a campaign message: literal text, or (ref != "") a
// {group.field} placeholder, resolved to the group's ID and field index.
type segment struct {
	literal string
	ref     string // "group.field", as written
	offset  int    // the byte offset of the placeholder's "{" in the message
	groupID string
	field   int
}

// splitMessage splits msg at its {group.field} placeholders. Braces around
// anything else ("{}", "{a b}", JSON) are literal text, but for a single
// name of letters, digits, "_" and "-" ({first_name}), which is refused: it
// reads as a placeholder that forgot its group, and would otherwise go out
// as the literal text.
func splitMessage(msg string) ([]segment, error) {
	var segs []segment
	literal := func(s string) {
		if s == "" {
			return
		}
		if n := len(segs); n > 0 && segs[n-1].ref == "" {
			segs[n-1].literal += s
			return
		}
		segs = append(segs, segment{literal: s})
	}
	pos := 0 // the byte offset of msg in the whole message
	for {
		open := strings.IndexByte(msg, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(msg[open:], '}')
		if end < 0 {
			break
		}
		inner := msg[open+1 : open+end]
		group, field, ok := strings.Cut(inner, ".")
		name := inner != "" && !strings.ContainsFunc(inner, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '-' && r != '.'
		})
		if name && !ok {
			return nil, placeholderError(msg[open:open+end+1], pos+open, "no variable group: a placeholder is {group.variable}")
		}
		if !ok || group == "" || field == "" || strings.Contains(inner, "{") {
			literal(msg[:open+1])
			msg, pos = msg[open+1:], pos+open+1
			continue
		}
		literal(msg[:open])
		segs = append(segs, segment{ref: inner, offset: pos + open})
		msg, pos = msg[open+end+1:], pos+open+end+1
	}
	literal(msg)
	return segs, nil
}

// resolve points each placeholder of segs at its variable group (by ID, or
// else by name) and field, and returns the placeholders, each once.
func (st *state) resolve(segs []segment) ([]string, error) {
	variables := []string{}
	for i := range segs {
		s := &segs[i]
		if s.ref == "" {
			continue
		}
		name, field, _ := strings.Cut(s.ref, ".")
		g := st.groupNamed(name)
		if g == nil {
			return nil, placeholderError("{"+s.ref+"}", s.offset, fmt.Sprintf("unknown variable group %q", name))
		}
		j, ok := g.fieldIndex[field]
		if !ok {
			return nil, placeholderError("{"+s.ref+"}", s.offset, fmt.Sprintf("variable group %q has no variable %q", name, field))
		}
		s.groupID, s.field = g.id, j
		if !slices.Contains(variables, s.ref) {
			variables = append(variables, s.ref)
		}
	}
	return variables, nil
}

// groupNamed returns the variable group whose ID is name, or else the first
// (by ID) whose name is name, or nil.
func (st *state) groupNamed(name string) *group {
	if g := st.groups[name]; g != nil {
		return g
	}
	for _, id := range st.groupIndex.ids {
		if g := st.groups[id]; g.name == name {
			return g
		}
	}
	return nil
}

// render returns the campaign's message for the contact key, with each
// placeholder replaced by the contact's value ("" if none).
func (c *campaign) render(groups map[string]*group, key string) string {
	if len(c.segments) == 1 && c.segments[0].ref == "" {
		return c.segments[0].literal
	}
	var b strings.Builder
	for _, s := range c.segments {
		if s.ref == "" {
			b.WriteString(s.literal)
		} else {
			b.WriteString(groups[s.groupID].value(key, s.field))
		}
	}
	return b.String()
}

// missing returns the placeholders of the campaign's message ("group.field")
// for which the contact key has no value, or an empty one.
func (c *campaign) missing(groups map[string]*group, key string) []string {
	var out []string
	for _, s := range c.segments {
		if s.ref != "" && groups[s.groupID].value(key, s.field) == "" && !slices.Contains(out, s.ref) {
			out = append(out, s.ref)
		}
	}
	return out
}
