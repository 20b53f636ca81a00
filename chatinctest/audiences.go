package chatinctest

import (
	"encoding/json"
	"fmt"
)

// createAudience is POST /create/audience: with a name it creates (or
// renames) the audience and adds the contacts; without, it adds contacts to
// an existing one.
func (h *Handler) createAudience(c *call) error {
	var req struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Description string `json:"description"`
		Contacts    []struct {
			Number json.RawMessage `json:"number"`
		} `json:"contacts"`
	}
	if err := c.decode(&req); err != nil {
		return err
	}
	if err := required("id", req.ID); err != nil {
		return err
	}
	numbers := make([]phone, len(req.Contacts))
	for i, ct := range req.Contacts {
		label := fmt.Sprintf("contacts[%d].number", i)
		text, err := jsonText(label, ct.Number)
		if err != nil {
			return err
		}
		if numbers[i], err = parsePhoneField(label, text); err != nil {
			return err
		}
	}
	if req.Name == "" {
		ch, err := h.store.addContacts(req.ID, numbers)
		return c.answerAudience("contacts added", req.ID, ch, err)
	}
	ch, err := h.store.putAudience(req.ID, req.Name, req.Description, numbers)
	return c.answerAudience(audienceMessage(ch), req.ID, ch, err)
}

// createAudienceFromFile is POST /create/audience/from/file: the audience
// named by the "id" and "name" parts is created (or renamed) and gets the
// numbers of the CSV "file".
func (h *Handler) createAudienceFromFile(c *call) error {
	var numbers []phone
	form, err := c.readUpload(nil, func(_ int, p phone, _ []string) error {
		numbers = append(numbers, p)
		return nil
	}, "id", "name")
	if err != nil {
		return err
	}
	ch, err := h.store.putAudience(form["id"], form["name"], form["description"], numbers)
	return c.answerAudience(audienceMessage(ch), form["id"], ch, err)
}

// audienceMessage is the message of the answer to a request that created
// or renamed an audience.
func audienceMessage(ch audienceChange) string {
	if ch.created {
		return "audience created"
	}
	return "audience updated"
}

// answerAudience answers what a request did to audience id, or err.
func (c *call) answerAudience(message, id string, ch audienceChange, err error) error {
	if err != nil {
		return err
	}
	return c.success(message, map[string]any{"id": id, "contactsAdded": ch.added, "totalContacts": ch.total})
}

// retrieveAudiences is GET /retrieve/audiences.
func (h *Handler) retrieveAudiences(c *call) error {
	type audienceJSON struct {
		ID           string `json:"id"`
		Name         string `json:"name"`
		Description  string `json:"description"`
		ContactCount int    `json:"contactCount"`
	}
	audiences := h.store.audienceList()
	list := make([]audienceJSON, len(audiences))
	for i, a := range audiences {
		list[i] = audienceJSON{a.id, a.name, a.description, a.contacts}
	}
	return c.reply(map[string]any{"status": "success", "audiences": list})
}

// retrieveAudienceContacts is POST /retrieve/audience/contacts.
func (h *Handler) retrieveAudienceContacts(c *call) error {
	var req struct {
		ID string `json:"id"`
	}
	if err := c.decode(&req); err != nil {
		return err
	}
	if err := required("id", req.ID); err != nil {
		return err
	}
	numbers, err := h.store.contacts(req.ID)
	if err != nil {
		return err
	}
	type contactJSON struct {
		Number phone `json:"number"`
	}
	contacts := make([]contactJSON, len(numbers))
	for i, p := range numbers {
		contacts[i].Number = p
	}
	return c.reply(map[string]any{"status": "success", "id": req.ID, "contacts": contacts})
}
