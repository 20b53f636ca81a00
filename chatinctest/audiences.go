package simulator

import (
	"encoding/json"
	"fmt"
)

// addContacts adds numbers to audience id. With create set it creates the
// audience, or renames it (and sets its description when one is given);
// without, the audience must exist.
func (st *store) addContacts(id, name, description string, numbers []phone, create bool) (written, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	a, created, err := st.audienceFor("id", id, name, create)
	if err != nil {
		return written{}, err
	}
	message := "contacts added"
	if create {
		message = "audience updated"
		if created {
			message = "audience created"
		}
		a.name = name
		if description != "" {
			a.description = description
		}
	}
	added := 0
	for _, p := range numbers {
		if a.contacts.add(p) {
			added++
		}
	}
	return written{message, map[string]any{"id": id, "contactsAdded": added, "totalContacts": len(a.contacts.list)}}, nil
}

// createAudience is POST /create/audience: with a name it creates (or
// updates) the audience; without, it adds contacts to an existing one.
func (s *Simulator) createAudience(c *call) error {
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
	return c.answer(s.store.addContacts(req.ID, req.Name, req.Description, numbers, req.Name != ""))
}

// createAudienceFromFile is POST /create/audience/from/file: the audience
// named by the "id" and "name" parts gets the numbers of the CSV "file".
func (s *Simulator) createAudienceFromFile(c *call) error {
	var numbers []phone
	form, err := c.readUpload(nil, func(_ int, p phone, _ []string) error {
		numbers = append(numbers, p)
		return nil
	}, "id", "name")
	if err != nil {
		return err
	}
	return c.answer(s.store.addContacts(form["id"], form["name"], form["description"], numbers, true))
}

// retrieveAudiences is GET /retrieve/audiences.
func (s *Simulator) retrieveAudiences(c *call) error {
	type audienceJSON struct {
		ID           string `json:"id"`
		Name         string `json:"name"`
		Description  string `json:"description"`
		ContactCount int    `json:"contactCount"`
	}
	s.store.mu.RLock()
	list := make([]audienceJSON, 0, len(s.store.audiences))
	for _, id := range sortedKeys(s.store.audiences) {
		a := s.store.audiences[id]
		list = append(list, audienceJSON{a.id, a.name, a.description, len(a.contacts.list)})
	}
	s.store.mu.RUnlock()
	return c.reply(map[string]any{"status": "success", "audiences": list})
}

// retrieveAudienceContacts is POST /retrieve/audience/contacts.
func (s *Simulator) retrieveAudienceContacts(c *call) error {
	var req struct {
		ID string `json:"id"`
	}
	if err := c.decode(&req); err != nil {
		return err
	}
	if err := required("id", req.ID); err != nil {
		return err
	}
	s.store.mu.RLock()
	a := s.store.audiences[req.ID]
	var numbers []phone
	if a != nil {
		numbers = a.contacts.list[:len(a.contacts.list):len(a.contacts.list)] // only ever appended to
	}
	s.store.mu.RUnlock()
	if a == nil {
		return notFound("audience %q not found", req.ID)
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
