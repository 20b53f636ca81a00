package simulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// groupInput is a variable group to create or extend, validated.
type groupInput struct {
	id, name, description string
	fields                []string
	rows                  []groupRow
	audienceID            string // "": none
}

// groupRow is one contact's values, in the order of groupInput.fields.
type groupRow struct {
	number phone
	values []string
}

// checkFields checks the fields of a variable group: each named, once, and
// none named "number", which holds each row's phone number. label(i) names
// fields[i] in the error.
func checkFields(fields []string, label func(i int) string) error {
	seen := make(map[string]bool, len(fields))
	for i, f := range fields {
		switch {
		case strings.TrimSpace(f) == "":
			return badRequest("%s: the field has no name", label(i))
		case strings.EqualFold(f, "number"):
			return badRequest(`%s: a field may not be named "number": that key holds each row's phone number`, label(i))
		case seen[f]:
			return badRequest("%s: duplicate field %q", label(i), f)
		}
		seen[f] = true
	}
	return nil
}

// upsertGroup creates the variable group, or renames it and extends it: its
// fields become the union of the old and the new, and each row replaces the
// values of the fields it has for its number. With an audience ID, the
// audience (created if need be, named after its ID) gets every row's number.
func (st *store) upsertGroup(in groupInput) (written, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	var aud *audience
	if in.audienceID != "" {
		var err error
		if aud, _, err = st.audienceFor("audienceId", in.audienceID, in.audienceID, true); err != nil {
			return written{}, err
		}
	}
	g := st.groups[in.id]
	message := "variable group updated"
	if g == nil {
		g = &group{id: in.id, fieldIndex: make(map[string]int), rows: make(map[string][]string)}
		st.groups[in.id] = g
		message = "variable group created"
	}
	g.name = in.name
	if in.description != "" {
		g.description = in.description
	}
	cols := make([]int, len(in.fields)) // where each input field is in g.fields
	for i, f := range in.fields {
		j, ok := g.fieldIndex[f]
		if !ok {
			j = len(g.fields)
			g.fields = append(g.fields, f)
			g.fieldIndex[f] = j
		}
		cols[i] = j
	}
	added := 0
	for _, r := range in.rows {
		key := r.number.key()
		row := g.rows[key]
		if len(row) < len(g.fields) {
			row = append(row, make([]string, len(g.fields)-len(row))...)
		}
		for i, v := range r.values {
			row[cols[i]] = v
		}
		g.rows[key] = row
		if aud != nil && aud.contacts.add(r.number) {
			added++
		}
	}
	result := written{message, map[string]any{"id": in.id, "rows": len(in.rows), "totalRows": len(g.rows)}}
	if aud != nil {
		result.fields["audienceId"] = aud.id
		result.fields["contactsAdded"] = added
	}
	return result, nil
}

// createVariableGroup is POST /create/variable/group.
func (s *Simulator) createVariableGroup(c *call) error {
	var req struct {
		ID          string                       `json:"id"`
		Name        string                       `json:"name"`
		Description string                       `json:"description"`
		Fields      []string                     `json:"fields"`
		Values      []map[string]json.RawMessage `json:"values"`
		AudienceID  string                       `json:"audienceId"`
	}
	if err := c.decode(&req); err != nil {
		return err
	}
	if err := required("id", req.ID, "name", req.Name); err != nil {
		return err
	}
	if len(req.Fields) == 0 {
		return badRequest("fields is required")
	}
	if err := checkFields(req.Fields, func(i int) string { return fmt.Sprintf("fields[%d]", i) }); err != nil {
		return err
	}
	index := make(map[string]int, len(req.Fields))
	for i, f := range req.Fields {
		index[f] = i
	}
	in := groupInput{id: req.ID, name: req.Name, description: req.Description, fields: req.Fields,
		audienceID: req.AudienceID, rows: make([]groupRow, len(req.Values))}
	for i, v := range req.Values {
		label := fmt.Sprintf("values[%d]", i)
		number, err := jsonText(label+".number", v["number"])
		if err != nil {
			return err
		}
		row := groupRow{values: make([]string, len(req.Fields))}
		if row.number, err = parsePhoneField(label+".number", number); err != nil {
			return err
		}
		for _, k := range sortedKeys(v) {
			if k == "number" {
				continue
			}
			j, ok := index[k]
			if !ok {
				return badRequest("%s: unknown field %q", label, k)
			}
			if row.values[j], err = jsonText(label+"."+k, v[k]); err != nil {
				return err
			}
		}
		in.rows[i] = row
	}
	return c.answer(s.store.upsertGroup(in))
}

// createVariableGroupFromFile is POST /create/variable/group/from/file: the
// CSV "file" has a "number" column and a column per field; the "id", "name"
// and "audienceId" parts are required.
func (s *Simulator) createVariableGroupFromFile(c *call) error {
	var in groupInput
	var cols []int // the CSV column of each field
	header := func(columns []string, numberCol int) error {
		for i, name := range columns {
			if i != numberCol {
				in.fields = append(in.fields, name)
				cols = append(cols, i)
			}
		}
		if len(in.fields) == 0 {
			return badRequest(`file: header has no column besides "number": the fields are the other columns`)
		}
		return checkFields(in.fields, func(i int) string { return fmt.Sprintf("file: header column %d", cols[i]+1) })
	}
	row := func(_ int, p phone, record []string) error {
		values := make([]string, len(cols))
		for i, col := range cols {
			values[i] = record[col]
		}
		in.rows = append(in.rows, groupRow{p, values})
		return nil
	}
	form, err := c.readUpload(header, row, "id", "name", "audienceId")
	if err != nil {
		return err
	}
	in.id, in.name, in.description, in.audienceID = form["id"], form["name"], form["description"], form["audienceId"]
	return c.answer(s.store.upsertGroup(in))
}

// retrieveVariableGroups is POST /retrieve/variable/groups: a bare array,
// as documented.
func (s *Simulator) retrieveVariableGroups(c *call) error {
	if err := c.decode(&struct{}{}); err != nil {
		return err
	}
	type groupJSON struct {
		ID          string   `json:"id"`
		Name        string   `json:"name"`
		Description string   `json:"description,omitempty"`
		Fields      []string `json:"fields"`
	}
	s.store.mu.RLock()
	list := make([]groupJSON, 0, len(s.store.groups))
	for _, id := range sortedKeys(s.store.groups) {
		g := s.store.groups[id]
		list = append(list, groupJSON{g.id, g.name, g.description, slices.Clone(g.fields)})
	}
	s.store.mu.RUnlock()
	return c.reply(list)
}
