package chatinc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/chatinc/chatinc-go/internal/retry"
	"github.com/chatinc/chatinc-go/internal/wire"
)

// VariableGroupParams describes a variable group: named fields with a value
// per contact, used in campaign messages as {group.field}.
type VariableGroupParams struct {
	// ID is the caller's ID for the group. Required.
	ID string `json:"id"`
	// Name is the group's name, the "group" of {group.field}. Required.
	// It may hold inner spaces ({My Variable Group.first_name}), but no
	// "{", "}", ".", line break, or space at either end.
	Name string `json:"name"`
	// Description is optional.
	Description string `json:"description,omitempty"`
	// Fields are the variables' names. Required; none may be "number".
	Fields []string `json:"fields"`
	// Values holds one row per contact.
	Values []Row `json:"values,omitempty"`
}

// groupBody is CreateVariableGroup's body. Its validate checks the group
// and encodes it, each row in one pass: a group may carry 100,000 rows, and
// each row's map is read once, a lookup per field. The body costs its size
// once, and at most a thirty-second more (wire.Chunks).
type groupBody struct {
	p    VariableGroupParams
	json requestBody // the group as json.Marshal writes it, once validate accepted it
}

func (b *groupBody) validate() error {
	p := b.p
	if err := checkIdentity(p.ID, p.Name, p.Description); err != nil {
		return err
	}
	if err := checkGroupName(p.Name); err != nil {
		return err
	}
	if len(p.Fields) == 0 {
		return invalid("fields", "at least one field is required")
	}
	known := make(map[string]bool, len(p.Fields))
	for i, f := range p.Fields {
		field := fmt.Sprintf("fields[%d]", i)
		if err := checkName(field, f); err != nil {
			return err
		}
		switch {
		case f == "number":
			return invalid(field, `"number" is reserved for each row's phone number`)
		case known[f]:
			return invalid(field, "duplicate field %q", f)
		}
		known[f] = true
	}
	if len(p.Values) == 0 {
		buf := wire.AppendNamed(nil, p.ID, p.Name, p.Description)
		buf = append(buf, `,"fields":`...)
		b.json = jsonBody(append(wire.AppendStrings(buf, p.Fields), '}'))
		return nil
	}
	// The rows are encoded into buf, 8 KiB at a time, and written from it
	// into pieces that are never copied to grow (wire.Chunks): a group may
	// carry 100,000 rows, and one buffer grown as they came was allocated
	// twice over. A body that fits in buf is buf.
	const flush = 8 << 10
	guess := len(p.Values) * (32 + 24*len(p.Fields))
	buf := wire.AppendNamed(make([]byte, 0, min(guess, flush)+1<<10), p.ID, p.Name, p.Description)
	buf = append(buf, `,"fields":`...)
	buf = wire.AppendStrings(buf, p.Fields)
	// A row's values go in field name order, each opened by its member
	// name, which is the same for every row: `,"city":`.
	sorted := slices.Sorted(slices.Values(p.Fields))
	members := make([][]byte, len(sorted))
	for j, f := range sorted {
		members[j] = append(wire.AppendString([]byte{','}, f), ':')
	}
	var body *wire.Chunks
	buf = append(buf, `,"values":[`...)
	for i, r := range p.Values {
		// The field's name is made only for the error.
		if _, reason := checkNumber(r.Number, false); reason != "" {
			return invalid(fmt.Sprintf("values[%d].number", i), "%s", reason)
		}
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"number":`...)
		buf = wire.AppendString(buf, r.Number)
		found, bad := 0, -1
		for j, f := range sorted {
			v, ok := r.Values[f]
			if !ok {
				continue
			}
			found++
			buf = append(buf, members[j]...)
			var valid bool
			if buf, valid = wire.AppendText(buf, v); !valid && bad < 0 {
				bad = j
			}
		}
		if found != len(r.Values) {
			return unknownValue(i, r, known)
		}
		if bad >= 0 {
			return checkText(fmt.Sprintf("values[%d].%s", i, sorted[bad]), r.Values[sorted[bad]])
		}
		buf = append(buf, '}')
		if len(buf) >= flush {
			if body == nil {
				// The first piece: the size the rows so far foretell,
				// and a sixteenth more, up to 4 MiB (what a guess
				// that is too long can cost).
				body = wire.NewChunks(int(min(int64(len(buf)/(i+1))*int64(len(p.Values))*17/16, 4<<20)))
			}
			body.Write(buf)
			buf = buf[:0]
		}
	}
	buf = append(buf, ']', '}')
	if body == nil {
		b.json = jsonBody(buf)
		return nil
	}
	body.Write(buf)
	b.json = chunkedBody{pieces: body.Pieces(), n: int64(body.Len())}
	return nil
}

// unknownValue is the error of row i, which holds a value that is not one
// of the group's fields: the first such, in name order.
func unknownValue(i int, r Row, known map[string]bool) error {
	var names []string
	for k := range r.Values {
		if !known[k] {
			names = append(names, k)
		}
	}
	return invalid(fmt.Sprintf("values[%d].%s", i, slices.Min(names)), "not one of the group's fields")
}

// Row is one contact's values in a variable group. On the wire it is one
// flat object: {"number": "...", "<field>": "<value>", ...}.
type Row struct {
	// Number is the contact's phone number, as in their audience.
	Number string
	// Values maps each of the group's fields to this contact's value; a
	// field with no value fills its placeholder with "".
	Values map[string]string
}

// MarshalJSON writes the row as one flat object, "number" first and the
// fields in name order.
func (r Row) MarshalJSON() ([]byte, error) {
	return r.appendJSON(nil), nil
}

// appendJSON appends the row as MarshalJSON writes it.
func (r Row) appendJSON(b []byte) []byte {
	var stack [16]string
	keys := stack[:0]
	for k := range r.Values {
		if k != "number" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	b = append(b, `{"number":`...)
	b = wire.AppendString(b, r.Number)
	for _, k := range keys {
		b = append(b, ',')
		b = wire.AppendString(b, k)
		b = append(b, ':')
		b = wire.AppendString(b, r.Values[k])
	}
	return append(b, '}')
}

// UnmarshalJSON reads a flat row object; values may be strings, numbers or
// booleans.
func (r *Row) UnmarshalJSON(data []byte) error {
	var obj map[string]wire.String
	if err := json.Unmarshal(data, &obj); err != nil {
		return err
	}
	*r = Row{Number: string(obj["number"]), Values: make(map[string]string, len(obj))}
	for k, v := range obj {
		if k != "number" {
			r.Values[k] = string(v)
		}
	}
	return nil
}

// VariableGroup is a variable group as retrieved.
type VariableGroup struct {
	// ID is the group's ID, when the API reports it.
	ID string
	// Name is the group's name: the "users" of {users.first_name}.
	Name string
	// Fields are the group's variables: the "first_name" of
	// {users.first_name}.
	Fields []string
}

// UnmarshalJSON decodes a group leniently.
func (g *VariableGroup) UnmarshalJSON(data []byte) error { return unmarshalChecked(g, data) }

func (g *VariableGroup) decodeValid(data []byte) error {
	*g = VariableGroup{}
	var fields []string
	err := wire.Fields(data, func(name, v []byte) (err error) {
		switch {
		case wire.Field(name, "id"):
			g.ID, err = wire.Text(v)
		case wire.Field(name, "name"):
			g.Name, err = wire.Text(v)
		case wire.Field(name, "fields"):
			fields, err = wire.TextList(v)
		}
		return err
	})
	if err != nil {
		return err
	}
	g.Fields = fields
	if g.Fields == nil {
		g.Fields = []string{}
	}
	return nil
}

// VariableGroupFileParams describes a variable group to create from a CSV
// file: a "number" column and one column per field. All fields are required.
type VariableGroupFileParams struct {
	// ID is the caller's ID for the group.
	ID string
	// Name is the group's name, used in placeholders: {name.field}. The
	// rules of VariableGroupParams.Name apply.
	Name string
	// AudienceID is the audience the file's contacts join; the API creates
	// it if it does not exist.
	AudienceID string
	// File is the CSV file (FileFromPath or FileFromReader). Its header is
	// "number" and the fields; it is streamed.
	File File
}

func (p VariableGroupFileParams) validate() error {
	if err := checkFields(formField{"id", p.ID}, formField{"name", p.Name}, formField{"audienceId", p.AudienceID}); err != nil {
		return err
	}
	return checkGroupName(p.Name)
}

// checkGroupName refuses a variable group Name that no {group.variable}
// placeholder could hold: one with "{", "}", ".", a line break, or a
// space at either end. Inner spaces are fine: {My Variable Group.x}.
func checkGroupName(name string) error {
	if i := strings.IndexAny(name, "{}.\r\n"); i >= 0 {
		return invalid("name", "%q holds %q at byte %d, which no {group.variable} placeholder can hold; "+
			"a placeholder names its group by Name", wire.Truncate(name, 32), name[i], i)
	}
	if t := strings.TrimSpace(name); t != name {
		return invalid("name", "%q starts or ends with a space, which no {group.variable} placeholder can hold (use %q)",
			wire.Truncate(name, 32), wire.Truncate(t, 32))
	}
	return nil
}

// CreateVariableGroup creates a variable group with its rows:
// POST /create/variable/group. It is the JS library's createVariableGroup.
func (c *Client) CreateVariableGroup(ctx context.Context, p VariableGroupParams) (*Result, error) {
	ctx = c.named(ctx, "CreateVariableGroup")
	b := groupBody{p: p}
	if err := b.validate(); err != nil {
		return nil, err
	}
	return c.post(ctx, retry.IdempotentWrite, "create/variable/group", b.json)
}

// CreateVariableGroupFromFile creates a variable group from a CSV file, and
// adds its contacts to the audience p.AudienceID:
// POST /create/variable/group/from/file (multipart: file, name, id,
// audienceId). The file streams; it is never held in memory. Its header is
// checked before sending, as CreateAudienceFromFile checks it.
func (c *Client) CreateVariableGroupFromFile(ctx context.Context, p VariableGroupFileParams) (*Result, error) {
	ctx = c.named(ctx, "CreateVariableGroupFromFile")
	if err := p.validate(); err != nil {
		return nil, err
	}
	return c.upload(ctx, "create/variable/group/from/file", p.File,
		formField{"name", p.Name}, formField{"id", p.ID}, formField{"audienceId", p.AudienceID})
}

// RetrieveVariableGroups lists the account's variable groups, including
// those created from input buttons: POST /retrieve/variable/groups. It is
// the JS library's retrieveVariableGroups.
func (c *Client) RetrieveVariableGroups(ctx context.Context) ([]VariableGroup, error) {
	ctx = c.named(ctx, "RetrieveVariableGroups")
	return list[VariableGroup](ctx, c, http.MethodPost, "retrieve/variable/groups", nil, "variableGroups")
}
