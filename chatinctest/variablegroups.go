package chatinctest

import (
	"encoding/json"
	"fmt"
)

// createVariableGroup is POST /create/variable/group.
func (h *Handler) createVariableGroup(c *call) error {
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
	if err := checkGroupName(req.Name); err != nil {
		return err
	}
	if len(req.Fields) == 0 {
		return invalid("fields is required")
	}
	if err := checkGroupFields(req.Fields, func(i int) string { return fmt.Sprintf("fields[%d]", i) }); err != nil {
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
				return invalid("%s: unknown field %q", label, k)
			}
			if row.values[j], err = jsonText(label+"."+k, v[k]); err != nil {
				return err
			}
		}
		in.rows[i] = row
	}
	ch, err := h.store.putGroup(in)
	return c.answerGroup(in, ch, err)
}

// createVariableGroupFromFile is POST /create/variable/group/from/file: the
// CSV "file" has a "number" column and a column per field; the "id", "name"
// and "audienceId" parts are required.
func (h *Handler) createVariableGroupFromFile(c *call) error {
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
			return invalid(`file: header has no column besides "number": the fields are the other columns`)
		}
		return checkGroupFields(in.fields, func(i int) string { return fmt.Sprintf("file: header column %d", cols[i]+1) })
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
	if err := checkGroupName(in.name); err != nil {
		return err
	}
	ch, err := h.store.putGroup(in)
	return c.answerGroup(in, ch, err)
}

// retrieveVariableGroups is POST /retrieve/variable/groups: a bare array,
// as documented.
func (h *Handler) retrieveVariableGroups(c *call) error {
	if err := c.decode(&struct{}{}); err != nil {
		return err
	}
	type groupJSON struct {
		ID          string   `json:"id"`
		Name        string   `json:"name"`
		Description string   `json:"description,omitempty"`
		Fields      []string `json:"fields"`
	}
	groups := h.store.groupList()
	list := make([]groupJSON, len(groups))
	for i, g := range groups {
		list[i] = groupJSON{g.id, g.name, g.description, g.fields}
	}
	return c.reply(list)
}

// answerGroup answers what a request did to the variable group in, or err.
func (c *call) answerGroup(in groupInput, ch groupChange, err error) error {
	if err != nil {
		return err
	}
	message := "variable group updated"
	if ch.created {
		message = "variable group created"
	}
	fields := map[string]any{"id": in.id, "rows": len(in.rows), "totalRows": ch.totalRows}
	if ch.audience != nil {
		fields["audienceId"] = in.audienceID
		fields["contactsAdded"] = ch.audience.added
	}
	return c.success(message, fields)
}
