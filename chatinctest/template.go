package chatinctest

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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

// splitMessage splits msg at its {group.field} placeholders. Every "{"
// opens a placeholder, which runs to the next "}" (or, unclosed, to the
// next "{" or the end); each must be well formed (see placeholderSyntax),
// or the message is refused, worded as the SDK's check words it.
func splitMessage(msg string) ([]segment, error) {
	var segs []segment
	pos := 0 // the byte offset of msg in the whole message
	for {
		open := strings.IndexByte(msg, '{')
		if open < 0 {
			break
		}
		end := strings.IndexAny(msg[open+1:], "{}")
		if end < 0 || msg[open+1+end] == '{' {
			text := msg[open:]
			if end >= 0 {
				text = msg[open : open+1+end]
			}
			return nil, placeholderError(text, pos+open, `unclosed placeholder: no "}"`)
		}
		inner := msg[open+1 : open+1+end]
		if reason := placeholderSyntax(inner); reason != "" {
			return nil, placeholderError(msg[open:open+end+2], pos+open, reason)
		}
		if open > 0 {
			segs = append(segs, segment{literal: msg[:open]})
		}
		segs = append(segs, segment{ref: inner, offset: pos + open})
		msg, pos = msg[open+end+2:], pos+open+end+2
	}
	if msg != "" {
		segs = append(segs, segment{literal: msg})
	}
	return segs, nil
}

// placeholderSyntax says what is wrong with the placeholder {inner}, or
// "": a placeholder is {group.variable}, with one ".", a group (a variable
// group's name, which may hold inner spaces) and a variable that are not
// empty, no space next to a brace or the dot, and no control character.
func placeholderSyntax(inner string) string {
	group, variable, dot := strings.Cut(inner, ".")
	edgeSpace := func(s string) bool {
		r, _ := utf8.DecodeRuneInString(s)
		l, _ := utf8.DecodeLastRuneInString(s)
		return unicode.IsSpace(r) || unicode.IsSpace(l)
	}
	switch {
	case inner == "":
		return "empty placeholder: a placeholder is {group.variable}"
	case !dot:
		return "no variable group: a placeholder is {group.variable}"
	case strings.Contains(variable, "."):
		return `more than one ".": a placeholder is {group.variable}, and neither name holds a "."`
	case group == "":
		return "empty group name: a placeholder is {group.variable}"
	case variable == "":
		return "empty variable name: a placeholder is {group.variable}"
	case strings.ContainsFunc(inner, unicode.IsControl):
		return "a line break or control character inside a placeholder: a placeholder is {group.variable}"
	case edgeSpace(group) || edgeSpace(variable):
		return "space next to a brace or the dot: a placeholder is {group.variable}"
	}
	return ""
}

// resolve points each placeholder of segs at its variable group, by name
// (a group's ID is an unknown group, whose name the error suggests), and
// field, and returns the placeholders, each once.
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
			reason := fmt.Sprintf("unknown variable group %q", name)
			if byID := st.groups[name]; byID != nil {
				reason += fmt.Sprintf(": it is the ID of the group named %q, and a placeholder names a group by its Name", byID.name)
			}
			return nil, placeholderError("{"+s.ref+"}", s.offset, reason)
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

// groupNamed returns the first variable group (by ID) whose name is name,
// or nil.
func (st *state) groupNamed(name string) *group {
	for _, id := range st.groupIndex.ids {
		if g := st.groups[id]; g.name == name {
			return g
		}
	}
	return nil
}

// templateStatus is the campaign's whatsAppTemplatesStatus at now:
// PENDING until its review is done (WithTemplateReview).
func (c *campaign) templateStatus(now time.Time) string {
	switch {
	case now.Before(c.reviewedAt):
		return "PENDING"
	case c.reviewed == "":
		return "APPROVED"
	}
	return c.reviewed
}

// checkApproved refuses a run of c, at now, unless its template is
// APPROVED: the simulator's own rule (see WithTemplateReview).
func (c *campaign) checkApproved(now time.Time) error {
	if s := c.templateStatus(now); !strings.EqualFold(s, "APPROVED") {
		return invalid("the campaign's WhatsApp template is %s, not APPROVED: it cannot be sent (the simulator's rule)", s)
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
