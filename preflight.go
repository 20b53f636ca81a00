package chatinc

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// preflightError is the error of a send whose pre-flight failed: a
// *CheckError as it is, a read's error wrapped to say nothing was sent.
func preflightError(call string, err error) error {
	var ce *CheckError
	var ve *ValidationError
	if errors.As(err, &ce) || errors.As(err, &ve) {
		return err
	}
	return fmt.Errorf("chatinc: %s not sent: a pre-flight read failed: %w", call, err)
}

// Placeholder is one "{...}" of a campaign message, as Placeholders finds it.
type Placeholder struct {
	// Group and Variable are the names of a {group.variable} placeholder:
	// the text before and after its first ".". Without a "." the whole
	// text between the braces is Variable ({first_name}).
	Group, Variable string
	// Text is the placeholder as written, braces included. An unclosed
	// one runs to the next "{" or the end of the message.
	Text string
	// Offset is the byte offset of its "{" in the message.
	Offset int
}

// closed reports whether the placeholder ends with its "}".
func (p Placeholder) closed() bool { return strings.HasSuffix(p.Text, "}") }

// Placeholders returns every "{...}" of message in order, well-formed or
// not: {users.first_name}, but also {}, {first_name}, { users.x } and an
// unclosed "{". Offsets are in bytes.
func Placeholders(message string) []Placeholder {
	var out []Placeholder
	for i := 0; i < len(message); {
		open := strings.IndexByte(message[i:], '{')
		if open < 0 {
			break
		}
		open += i
		end := strings.IndexAny(message[open+1:], "{}")
		var text string
		switch {
		case end < 0: // unclosed, to the end
			text, i = message[open:], len(message)
		case message[open+1+end] == '{': // unclosed, to the next "{"
			text, i = message[open:open+1+end], open+1+end
		default:
			text, i = message[open:open+end+2], open+end+2
		}
		inner := strings.TrimSuffix(text[1:], "}")
		p := Placeholder{Text: text, Offset: open}
		if g, v, ok := strings.Cut(inner, "."); ok {
			p.Group, p.Variable = g, v
		} else {
			p.Variable = inner
		}
		out = append(out, p)
	}
	return out
}

// ValidateMessage checks a campaign message against the account's variable
// groups (from RetrieveVariableGroups) and returns nil or a *CheckError
// listing every problem, in order: each empty or malformed placeholder ({},
// {users}, {users.}, { users.x }, an unclosed "{"), each unknown group, and
// each unknown variable of a known group; then, with Offset -1, a message
// longer than MaxMessageLength. Group names match VariableGroup.Name
// exactly, inner spaces included ({My Variable Group.first_name}); a
// group's ID in a placeholder is an unknown group, whose Suggestion names
// it by its Name. Where a known name is a few edits from the one written
// (about a third of its length), Suggestion holds the corrected
// placeholder, such as "{users.first_name}" for "{users.frist_name}". A
// Suggestion is never the text written.
func ValidateMessage(message string, groups []VariableGroup) error {
	return validateMessage(context.Background(), message, groups)
}

// validateMessage is ValidateMessage, ending with ctx's error when ctx ends
// while it looks for suggestions.
func validateMessage(ctx context.Context, message string, groups []VariableGroup) error {
	var problems []Problem
	for _, p := range Placeholders(message) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if reason := placeholderSyntax(p); reason != "" {
			problems = append(problems, Problem{Field: "message", Offset: p.Offset, Text: p.Text,
				Reason: reason, Suggestion: suggestFor(ctx, p, groups, true)})
			continue
		}
		g := groupNamed(groups, p.Group)
		switch {
		case g == nil:
			reason := fmt.Sprintf("unknown variable group %q", p.Group)
			sug := suggestFor(ctx, p, groups, false)
			if byID := groupWithID(groups, p.Group); byID != nil {
				reason += fmt.Sprintf(": it is the ID of the group named %q, and a placeholder names a group by its Name", byID.Name)
				sug = suggestion(p.Text, "{"+byID.Name+"."+p.Variable+"}")
			}
			problems = append(problems, Problem{Field: "message", Offset: p.Offset, Text: p.Text,
				Reason: reason, Suggestion: sug})
		case !slices.Contains(g.Fields, p.Variable):
			problems = append(problems, Problem{Field: "message", Offset: p.Offset, Text: p.Text,
				Reason: fmt.Sprintf("variable group %q has no variable %q", p.Group, p.Variable), Suggestion: suggestFor(ctx, p, groups, false)})
		}
	}
	if err := ctx.Err(); err != nil {
		return err // it may have ended during the last suggestion
	}
	if n := utf8.RuneCountInString(message); n > MaxMessageLength {
		problems = append(problems, Problem{Field: "message", Offset: -1,
			Reason: fmt.Sprintf("%d characters; the limit is %d", n, MaxMessageLength)})
	}
	if len(problems) > 0 {
		return &CheckError{Problems: problems}
	}
	return nil
}

// placeholderSyntax says what is wrong with the form of p, or "". A
// well-formed placeholder is {group.variable}: closed, one ".", a group
// and a variable that are not empty, no space next to a brace or the dot,
// and no line break or other control character. The group is a variable
// group's Name and may hold inner spaces ({My Variable Group.first_name}).
// chatinctest's splitMessage keeps the same rule.
func placeholderSyntax(p Placeholder) string {
	inner := strings.TrimSuffix(p.Text[1:], "}")
	edgeSpace := func(s string) bool {
		r, _ := utf8.DecodeRuneInString(s)
		l, _ := utf8.DecodeLastRuneInString(s)
		return unicode.IsSpace(r) || unicode.IsSpace(l)
	}
	switch {
	case !p.closed():
		return `unclosed placeholder: no "}"`
	case inner == "":
		return "empty placeholder: a placeholder is {group.variable}"
	case !strings.Contains(inner, "."):
		return "no variable group: a placeholder is {group.variable}"
	case strings.Count(inner, ".") > 1:
		return `more than one ".": a placeholder is {group.variable}, and neither name holds a "."`
	case p.Group == "":
		return "empty group name: a placeholder is {group.variable}"
	case p.Variable == "":
		return "empty variable name: a placeholder is {group.variable}"
	case strings.ContainsFunc(inner, unicode.IsControl):
		return "a line break or control character inside a placeholder: a placeholder is {group.variable}"
	case edgeSpace(p.Group) || edgeSpace(p.Variable):
		return "space next to a brace or the dot: a placeholder is {group.variable}"
	}
	return ""
}

// suggestion is sug unless it is the text written, which is no suggestion.
func suggestion(written, sug string) string {
	if sug == written {
		return ""
	}
	return sug
}

// groupNamed returns the group named name, or nil.
func groupNamed(groups []VariableGroup, name string) *VariableGroup {
	for i := range groups {
		if groups[i].Name == name {
			return &groups[i]
		}
	}
	return nil
}

// groupWithID returns the group whose ID is id, or nil.
func groupWithID(groups []VariableGroup, id string) *VariableGroup {
	for i := range groups {
		if groups[i].ID == id {
			return &groups[i]
		}
	}
	return nil
}

// suggestFor returns the known placeholder closest to p, or "", never
// p.Text itself. With loose, p may be malformed: its names are trimmed, and
// a variable written without a group is looked for in every group. It
// gives up, with "", when ctx ends.
func suggestFor(ctx context.Context, p Placeholder, groups []VariableGroup, loose bool) string {
	return suggestion(p.Text, suggestPlaceholder(ctx, p, groups, loose))
}

// suggestPlaceholder is suggestFor, which may return the text written.
func suggestPlaceholder(ctx context.Context, p Placeholder, groups []VariableGroup, loose bool) string {
	group, variable := p.Group, p.Variable
	if loose {
		group, variable = strings.TrimSpace(group), strings.TrimSpace(variable)
		if variable == "" {
			return ""
		}
		if group == "" { // {first_name}: the one group that has it
			found := ""
			for _, g := range groups {
				if ctx.Err() != nil {
					return ""
				}
				if v := closestCtx(ctx, variable, g.Fields); v != "" {
					if found != "" {
						return "" // a second group has it: no one suggestion
					}
					found = "{" + g.Name + "." + v + "}"
				}
			}
			return found
		}
	}
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = g.Name
	}
	g := groupNamed(groups, closestCtx(ctx, group, names))
	if g == nil {
		return ""
	}
	if v := closestCtx(ctx, variable, g.Fields); v != "" {
		return "{" + g.Name + "." + v + "}"
	}
	return ""
}

// closest returns the name in names nearest to s in edits, if it is within
// about a third of the length of s (at least one edit), or "".
func closest(s string, names []string) string { return closestCtx(context.Background(), s, names) }

// closestCtx is closest, which gives up with "" when ctx ends. A name whose
// length alone puts it beyond the bound (the distance is at least the
// difference in length) is skipped without measuring it, so that a list of
// long names costs a glance at each.
func closestCtx(ctx context.Context, s string, names []string) string {
	n := utf8.RuneCountInString(s)
	best, bestD := "", max(n/3, 1)
	for i, name := range names {
		if name == s {
			return name
		}
		if i%64 == 63 && ctx.Err() != nil {
			return ""
		}
		// A rune is 1 to 4 bytes: bound its rune count by its bytes first.
		if len(name) < n-bestD || (len(name)+3)/4 > n+bestD {
			continue
		}
		if m := utf8.RuneCountInString(name); m < n-bestD || m > n+bestD {
			continue
		}
		if d := editDistance(s, name); d <= bestD && (best == "" || d < bestD) {
			best, bestD = name, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b,
// in runes: insertions, deletions, substitutions and swaps of neighbours.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// RenderMessage returns message as one contact will read it: each
// {group.variable} placeholder replaced by values[group][variable]. A
// missing or empty value, or a malformed placeholder, is a *CheckError
// naming every such placeholder (WhatsApp refuses an empty template
// variable, and "Hi , your code is ." is not a message to send). Use it to
// preview a message, or to make CampaignParams.MessageExample.
func RenderMessage(message string, values map[string]map[string]string) (string, error) {
	var (
		b        strings.Builder
		problems []Problem
		last     int
	)
	for _, p := range Placeholders(message) {
		b.WriteString(message[last:p.Offset])
		last = p.Offset + len(p.Text)
		if reason := placeholderSyntax(p); reason != "" {
			problems = append(problems, Problem{Field: "message", Offset: p.Offset, Text: p.Text, Reason: reason})
			continue
		}
		v := values[p.Group][p.Variable]
		if v == "" {
			problems = append(problems, Problem{Field: "message", Offset: p.Offset, Text: p.Text,
				Reason: fmt.Sprintf("no value for %s", p.Text)})
			continue
		}
		b.WriteString(v)
	}
	if len(problems) > 0 {
		return "", &CheckError{Problems: problems}
	}
	b.WriteString(message[last:])
	return b.String(), nil
}

// CheckCampaign checks a campaign before it is created or run, making reads
// only: nothing is created and no message is sent.
//
// It first checks p and o as CreateCampaign would, and returns that
// *ValidationError before any read. It then checks the message with
// ValidateMessage against RetrieveVariableGroups, p.MessageExample for
// placeholders left unfilled, and each audience ID of o against
// RetrieveAudiences (AudienceAll always exists). It returns nil, a
// *CheckError listing every problem found, or the error of a read (or
// ctx's, when it ends while suggestions are looked for).
func (c *Client) CheckCampaign(ctx context.Context, p CampaignParams, o CampaignOptions) error {
	ctx = c.named(ctx, "CheckCampaign")
	if err := p.validate(o); err != nil {
		return err
	}
	problems, err := c.checkMessage(ctx, "message", p.Message)
	if err != nil {
		return err
	}
	for _, ph := range Placeholders(p.MessageExample) {
		if placeholderSyntax(ph) == "" {
			problems = append(problems, Problem{Field: "messageExample", Offset: -1, Text: ph.Text,
				Reason: "a placeholder in the example: it is the message as one contact reads it (see RenderMessage)"})
		}
	}
	more, err := c.checkAudiences(ctx, o.Audiences)
	if err != nil {
		return err
	}
	if problems = append(problems, more...); len(problems) > 0 {
		return &CheckError{Problems: problems}
	}
	return nil
}

// checkMessage checks message against RetrieveVariableGroups, read only
// when the message has a placeholder, and returns ValidateMessage's
// problems, each with Field field.
func (c *Client) checkMessage(ctx context.Context, field, message string) ([]Problem, error) {
	var groups []VariableGroup
	if strings.IndexByte(message, '{') >= 0 {
		var err error
		if groups, err = c.RetrieveVariableGroups(ctx); err != nil {
			return nil, err
		}
	}
	var ce *CheckError
	if err := validateMessage(ctx, message, groups); errors.As(err, &ce) {
		for i := range ce.Problems {
			ce.Problems[i].Field = field
		}
		return ce.Problems, nil
	} else if err != nil {
		return nil, err
	}
	return nil, nil
}

// checkAudiences checks each audience ID against RetrieveAudiences, read
// only when an ID is not AudienceAll.
func (c *Client) checkAudiences(ctx context.Context, audienceIDs []string) ([]Problem, error) {
	if !slices.ContainsFunc(audienceIDs, func(id string) bool { return id != AudienceAll }) {
		return nil, nil
	}
	audiences, err := c.RetrieveAudiences(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(audiences))
	for i, a := range audiences {
		ids[i] = a.ID
	}
	var problems []Problem
	for i, id := range audienceIDs {
		if id == AudienceAll || slices.Contains(ids, id) {
			continue
		}
		problems = append(problems, Problem{Field: fmt.Sprintf("audiences[%d]", i), Offset: -1, Text: id,
			Reason: fmt.Sprintf("audience %q not found", id), Suggestion: suggestion(id, closestCtx(ctx, id, ids))})
	}
	return problems, ctx.Err()
}

// CheckRun is RunCampaign's pre-flight: it checks p as RunCampaign would
// (a *ValidationError before any read), then makes reads only, and
// returns nil, a *CheckError listing every problem, or the error of a
// read. Nothing is sent.
//
// It looks the campaign up (FindCampaign's read): an unknown ID is a
// Problem with Field "campaignId", and the check stops there. A campaign
// whose WhatsApp template is REJECTED cannot be sent: a Problem, and the
// *CheckError then matches ErrTemplateRejected. (A PENDING template is not
// a problem here: AwaitApproval waits for it.) It checks the campaign's
// stored message with ValidateMessage against RetrieveVariableGroups, and
// each audience of p against RetrieveAudiences (AudienceAll always
// exists). RunCampaign on a client made WithPreflight calls it first.
func (c *Client) CheckRun(ctx context.Context, p RunCampaignParams) error {
	ctx = c.named(ctx, "CheckRun")
	if err := p.validate(); err != nil {
		return err
	}
	campaigns, err := c.RetrieveCampaigns(ctx, RetrieveCampaignsOptions{})
	if err != nil {
		return err
	}
	camp := campaignWithID(campaigns, p.CampaignID)
	if camp == nil {
		ids := make([]string, len(campaigns))
		for i := range campaigns {
			ids[i] = campaigns[i].CampaignID
		}
		return &CheckError{Problems: []Problem{{Field: "campaignId", Offset: -1, Text: p.CampaignID,
			Reason: fmt.Sprintf("campaign %q not found", p.CampaignID), Suggestion: suggestion(p.CampaignID, closestCtx(ctx, p.CampaignID, ids))}}}
	}
	ce := &CheckError{}
	if strings.EqualFold(camp.WhatsAppTemplatesStatus, "REJECTED") {
		ce.rejected = true
		ce.Problems = append(ce.Problems, Problem{Field: "campaignId", Offset: -1, Text: p.CampaignID,
			Reason: "the campaign's WhatsApp template was rejected (status REJECTED): it cannot be sent; create the campaign again with another message"})
	}
	problems, err := c.checkMessage(ctx, "message", camp.Message)
	if err != nil {
		return err
	}
	ce.Problems = append(ce.Problems, problems...)
	if problems, err = c.checkAudiences(ctx, p.Audiences); err != nil {
		return err
	}
	if ce.Problems = append(ce.Problems, problems...); len(ce.Problems) > 0 {
		return ce
	}
	return nil
}

// campaignWithID returns the campaign of campaigns whose ID is id, or nil.
func campaignWithID(campaigns []Campaign, id string) *Campaign {
	for i := range campaigns {
		if campaigns[i].CampaignID == id {
			return &campaigns[i]
		}
	}
	return nil
}
